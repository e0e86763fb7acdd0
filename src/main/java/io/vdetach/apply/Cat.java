package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;

/** cat: one guest file's content, read through the guest layers, into a channel (stdout). */
public final class Cat {
    private Cat() {}

    /** @param guestPath the volume first: p1/etc/hosts */
    public record Request(ImageSource image, String guestPath) {}

    /** Writes the file to {@code out}; returns its size. */
    public static long run(Request r, WritableByteChannel out) throws IOException {
        try (OpenedImage img = r.image().openImage()) {
            GuestPaths.Found f = GuestPaths.resolve(img, r.guestPath());
            if (f.node().type() != EntryType.FILE) {
                throw new HostException(r.guestPath() + ": not a regular file (" + f.node().type().name().toLowerCase(Locale.ROOT) + ")");
            }
            Layer content = f.fs().content(f.node());
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < content.size(); ) {
                buf.clear().limit((int) Math.min(buf.capacity(), content.size() - pos));
                content.readFully(pos, buf);
                buf.flip();
                pos += buf.remaining();
                while (buf.hasRemaining()) out.write(buf);
            }
            return content.size();
        }
    }
}
