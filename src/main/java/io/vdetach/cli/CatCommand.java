package io.vdetach.cli;

import io.vdetach.apply.Cat;
import io.vdetach.apply.ImageSource;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
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
        @SuppressWarnings("resource") // stdout stays open
        FileChannel stdout = new FileOutputStream(FileDescriptor.out).getChannel();
        Cat.Result r = Cat.run(new Cat.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), guestPath), stdout);
        if (r.refused() == null) return 0;
        Diagnostics.error(null, r.refused());
        return 1;
    }
}
