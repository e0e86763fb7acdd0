package io.vdetach.image;

/**
 * How to open an image.
 *
 * @param snapshot internal snapshot to read (qcow2), by name or id; null for the active layer
 * @param allowParentsOutside follow backing/parent/extent names that resolve outside the
 *     image's directory (off by default: crafted names have made converters read host files)
 */
public record OpenOptions(String snapshot, boolean allowParentsOutside) {
    public static final OpenOptions DEFAULT = new OpenOptions(null, false);
}
