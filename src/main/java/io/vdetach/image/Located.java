package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.error.MissingFileException;
import java.nio.file.Path;

/**
 * Where a name stored in an image leads, and whether that file may be opened: a value, so a
 * format that tries several names (VHD and VHDX parent locators) can say what each gave.
 *
 * @param path the resolved path (the real path when usable); null when the name itself is unusable
 * @param why null when usable; else "missing", "not a regular file (a FIFO)", …
 */
public record Located(NamingField field, String name, Path path, String why) {

    public boolean usable() { return why == null; }

    /** The real path of a usable file; else throws {@link #error()}. */
    public Path orThrow() {
        if (why != null) throw error();
        return path;
    }

    /** The error for this name: corrupt when the name cannot be a file name, else a missing file (exit 3). */
    public ImageException error() {
        return error(why);
    }

    /** {@link #error()} with {@code why} in place of this name's own reason (to add what else was tried). */
    public ImageException error(String why) {
        if (path == null) return new CorruptImageException(field.format(), field.structure(), field.offset(), why);
        return new MissingFileException(field.format(), field.structure(), field.offset(), name, path, why);
    }

    /** "W2ku locator "x.vhd" (/d/x.vhd): missing", for a list of names tried. */
    public String tried() {
        return field.structure() + " \"" + name + "\"" + (path == null ? "" : " (" + path + ")") + ": " + why;
    }
}
