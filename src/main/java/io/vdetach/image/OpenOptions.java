package io.vdetach.image;

/**
 * How to open an image.
 *
 * @param snapshot internal snapshot to read (qcow2), by name or id; null for the active layer
 * @param allowParentsOutside follow backing/parent/extent names that resolve outside the
 *     image's directory (off by default: crafted names have made converters read host files)
 * @param allowMissingDelta when a link of a chain is missing or unreadable, read the chain as if
 *     that link and everything above it were absent (what lies below it, when that is known),
 *     and say so in every report; off by default: then it is an error (exit 3) naming the file
 */
public record OpenOptions(String snapshot, boolean allowParentsOutside, boolean allowMissingDelta) {
    public static final OpenOptions DEFAULT = new OpenOptions(null, false, false);

    public OpenOptions(String snapshot, boolean allowParentsOutside) {
        this(snapshot, allowParentsOutside, false);
    }
}
