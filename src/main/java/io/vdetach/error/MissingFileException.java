package io.vdetach.error;

import java.nio.file.Path;

/**
 * A file the image names (a backing file, parent, extent or segment) is missing or is not a
 * regular file: the image cannot be read (exit 3), but nothing in it is corrupt.
 */
public final class MissingFileException extends ImageException {
    private final String name;
    private final Path resolved;

    /**
     * @param structure the field that names the file ("header.backing_file", "parent locator")
     * @param offset that field's offset in the naming file, or -1
     * @param name the name as the image stores it
     * @param resolved where that name led, or null
     * @param why "missing", "not a regular file (a FIFO)", …
     */
    public MissingFileException(String format, String structure, long offset, String name, Path resolved, String why) {
        super(format, structure, offset, format + ": " + structure + " names \"" + name + "\""
                + (resolved == null ? "" : " (" + resolved + ")") + ": " + why, null);
        this.name = name;
        this.resolved = resolved;
    }

    public String name() { return name; }

    public Path resolved() { return resolved; }

    @Override
    public ErrorKind kind() { return ErrorKind.MISSING; }
}
