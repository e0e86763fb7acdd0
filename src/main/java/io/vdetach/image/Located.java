package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.error.MissingFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a name stored in an image leads, and whether that file may be opened: a value, so a
 * format that tries several names (VHD and VHDX parent locators) can say what each gave.
 *
 * @param path the resolved path (the real path when usable); null when the name itself is unusable
 * @param why null when usable; else "missing", "not a regular file (a FIFO)", …
 */
public record Located(NamingField field, String name, Path path, String why) {

    public boolean usable() { return why == null; }

    /** The real path of a usable file; else throws: corrupt when the name cannot name a file, else missing (exit 3). */
    public Path orThrow() {
        if (why != null) throw error(why);
        return path;
    }

    private ImageException error(String why) {
        if (path == null) return new CorruptImageException(field.format(), field.structure(), field.offset(), why);
        return new MissingFileException(field.format(), field.structure(), field.offset(), name, path, why);
    }

    /** When no name a format tried for its parent is usable: the first (preferred) one's error, listing the others. */
    public static ImageException parentNotFound(List<Located> tried) {
        StringBuilder why = new StringBuilder("parent not found: " + tried.getFirst().why);
        for (Located l : tried.subList(1, tried.size())) {
            why.append("; also tried ").append(l.field.structure()).append(" \"").append(l.name).append('"')
                    .append(l.path == null ? "" : " (" + l.path + ")").append(": ").append(l.why);
        }
        return tried.getFirst().error(why.toString());
    }
}
