package io.vdetach.image;

import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the files of an image chain are: {@link #LOCAL}, the running system's filesystems, or a
 * host filesystem read from an unmounted device (the offline detach), whose files are
 * {@link HostFile#within HostFiles over that device}. {@link ImageOpener} asks it everything it asks
 * about files; formats never see it, they go through {@link ImageOpener#locate} and its openers.
 */
public interface FileResolver {
    /** The running system: paths are the kernel's. */
    FileResolver LOCAL = new LocalFiles();

    /** What {@link #notRegular} answers when nothing has that name. */
    String MISSING = "missing";

    /**
     * Null when {@code p} is a regular file (symbolic links followed, as opening would), else why
     * not ({@link #MISSING} when absent); never opens it (a FIFO would block).
     */
    String notRegular(Path p) throws IOException;

    /** The canonical path of {@code p}, which {@link #notRegular} accepted: chains compare these for cycles. */
    Path realPath(Path p) throws IOException;

    /** Opens the file at {@code real} (a {@link #realPath}) read-only. */
    HostFile open(Path real) throws IOException;

    /** The regular files in directory {@code dir} (symbolic links not followed), by name. */
    List<Path> regularFiles(Path dir) throws IOException;
}
