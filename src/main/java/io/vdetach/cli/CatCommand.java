package io.vdetach.cli;

import io.vdetach.error.HostException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.plan.OpenedImage;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cat", description = "Write one guest file to stdout (GUEST_PATH starts with the volume: p1/etc/hosts).")
final class CatCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "GUEST_PATH") String guestPath;
    @Mixin ImageOptions io = new ImageOptions();

    @Override
    public Integer call() throws Exception {
        try (OpenedImage img = OpenedImage.open(image, io.openOptions(), io.mountOptions())) {
            GuestPaths.Found f = GuestPaths.resolve(img, guestPath);
            if (f.node().type() != EntryType.FILE) throw new HostException(guestPath + ": not a regular file (" + f.node().type().name().toLowerCase() + ")");
            Layer content = f.fs().content(f.node());
            @SuppressWarnings("resource") // stdout stays open
            FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            long pos = 0;
            while (pos < content.size()) {
                buf.clear().limit((int) Math.min(buf.capacity(), content.size() - pos));
                content.readFully(pos, buf);
                buf.flip();
                pos += buf.remaining();
                while (buf.hasRemaining()) out.write(buf);
            }
            return 0;
        }
    }
}
