package io.vdetach.apply;

import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.OpenOptions;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The image a command reads, and the one way every command opens it: an image that an
 * unfinished {@code detach --streaming} is consuming (its {@link ConsumedMarker} exists) is
 * refused (exit 4) before anything of it is read, since parts of it are holes already.
 */
public record ImageSource(Path path, OpenOptions open, MountOptions mount) {

    /** Opened down to its filesystems. */
    public OpenedImage openImage() throws IOException {
        ConsumedMarker.refuseIfConsumed(real());
        try {
            return OpenedImage.open(path, open, mount);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while opening the image, its volumes and filesystems", e);
        }
    }

    /** The disk alone (dump). */
    public DiskImage openDisk() throws IOException {
        ConsumedMarker.refuseIfConsumed(real());
        try {
            return ImageOpener.open(path, open);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while opening the image", e);
        }
    }

    /** For detach --streaming's own run into {@code dest}: the image its marker names {@code dest} for. */
    OpenedImage openConsumedBy(Path dest) throws IOException {
        String consumer = ConsumedMarker.consumer(real());
        if (consumer != null && !consumer.equals(dest.toString())) throw ConsumedMarker.refusal(real(), consumer);
        return OpenedImage.open(path, open, mount);
    }

    /** The path with symlinks resolved where it exists: the marker lies beside the real file. */
    Path real() throws IOException {
        Path p = path.toAbsolutePath().normalize();
        return Files.exists(p) ? p.toRealPath() : p;
    }
}
