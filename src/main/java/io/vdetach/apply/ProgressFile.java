package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code DEST.vdetach-progress}, beside DEST: which image a streaming detach consumes and how
 * far it got, as java.util.Properties (which escape any path). Written to a temporary name,
 * fsynced, renamed and the directory fsynced, so a crash leaves either the old or the new
 * record, never a torn one.
 */
final class ProgressFile {
    /** Our own file: a few hundred bytes; anything larger is not ours. */
    private static final long MAX_SIZE = 1 << 16;

    /** Image identity: path, device, inode, size; mtime for information (punching moves it). */
    String image;
    long dev;
    long ino;
    long size;
    long mtimeNanos;
    String dest;
    long window;
    /** Free bytes of DEST's filesystem before the first run: the base of peak_extra_space. */
    long freeBefore;
    long peakExtra;
    boolean materialised;
    /** Units of the image copied, synced and (then) punched. */
    long windowsDone;
    /** Every file and its metadata is done and synced; only deleting the image remains. */
    boolean finished;

    static Path pathFor(Path dest) {
        return dest.resolveSibling(dest.getFileName() + ".vdetach-progress");
    }

    static ProgressFile read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) return null;
        if (Files.size(p) > MAX_SIZE) throw new HostException(p + ": not a vdetach progress file (too large)");
        Properties props = new Properties();
        props.load(new StringReader(Files.readString(p, StandardCharsets.UTF_8)));
        if (!"1".equals(props.getProperty("vdetach-streaming"))) throw new HostException(p + ": not a vdetach progress file");
        ProgressFile f = new ProgressFile();
        try {
            f.image = props.getProperty("image", "");
            f.dev = Long.parseLong(props.getProperty("dev"));
            f.ino = Long.parseLong(props.getProperty("ino"));
            f.size = Long.parseLong(props.getProperty("size"));
            f.mtimeNanos = Long.parseLong(props.getProperty("mtime_ns"));
            f.dest = props.getProperty("dest", "");
            f.window = Long.parseLong(props.getProperty("window"));
            f.freeBefore = Long.parseLong(props.getProperty("free_before"));
            f.peakExtra = Long.parseLong(props.getProperty("peak_extra"));
            f.materialised = Boolean.parseBoolean(props.getProperty("materialised"));
            f.windowsDone = Long.parseLong(props.getProperty("windows_done"));
            f.finished = Boolean.parseBoolean(props.getProperty("finished"));
        } catch (RuntimeException e) {
            throw new HostException(p + ": damaged vdetach progress file (" + e.getMessage() + "); remove it only if the image is intact");
        }
        return f;
    }

    void write(Path p) throws IOException {
        Properties props = new Properties();
        String[] pairs = {"vdetach-streaming", "1", "image", image, "dev", "" + dev, "ino", "" + ino, "size", "" + size,
                "mtime_ns", "" + mtimeNanos, "dest", dest, "window", "" + window, "free_before", "" + freeBefore,
                "peak_extra", "" + peakExtra, "materialised", "" + materialised, "windows_done", "" + windowsDone,
                "finished", "" + finished};
        for (int i = 0; i < pairs.length; i += 2) props.setProperty(pairs[i], pairs[i + 1]);
        StringWriter text = new StringWriter();
        props.store(text, null);
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
        fsync(tmp, false);
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        fsync(p.toAbsolutePath().getParent(), true);
    }

    static void fsync(Path p, boolean directory) {
        try (Fd fd = Linux.open(p.toString(), Linux.O_RDONLY | (directory ? Linux.O_DIRECTORY : 0), 0)) {
            Linux.fsync(fd);
        }
    }
}
