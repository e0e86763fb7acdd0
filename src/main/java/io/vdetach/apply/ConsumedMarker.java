package io.vdetach.apply;

import io.vdetach.error.HostException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sidecar {@code IMAGE.vdetach-consuming} that exists while {@code detach --streaming}
 * is punching the image out: parts of it are already holes, so every other command must
 * refuse it. It holds DEST's absolute path (the one command allowed to resume).
 */
final class ConsumedMarker {
    private ConsumedMarker() {}

    /** A DEST path longer than this is not ours (PATH_MAX). */
    private static final int MAX_SIZE = 4096;

    static Path sidecar(Path image) {
        return image.resolveSibling(image.getFileName() + ".vdetach-consuming");
    }

    /** DEST of the unfinished streaming detach consuming {@code image}, or null when there is none. */
    static String consumer(Path image) throws IOException {
        Path s = sidecar(image);
        if (!Files.isRegularFile(s)) return null;
        if (Files.size(s) > MAX_SIZE) return "(unreadable: " + s + ")";
        return new String(Files.readAllBytes(s), StandardCharsets.UTF_8).strip();
    }

    /** Writes the sidecar naming {@code dest}, durably (file and directory synced). */
    static void create(Path image, Path dest) throws IOException {
        Files.writeString(sidecar(image), dest + "\n", StandardCharsets.UTF_8);
        ProgressFile.fsync(sidecar(image), false);
        ProgressFile.fsync(image.getParent(), true);
    }

    static void remove(Path image) throws IOException {
        Files.deleteIfExists(sidecar(image));
        ProgressFile.fsync(image.getParent(), true);
    }

    /** Throws (exit 4) when {@code image} is being consumed. */
    static void refuseIfConsumed(Path image) throws IOException {
        String dest = consumer(image);
        if (dest != null) throw refusal(image, dest);
    }

    static HostException refusal(Path image, String dest) {
        return new HostException(image + " is being consumed by an unfinished `vdetach detach --streaming` into " + dest
                + "; run the same command again to resume");
    }
}
