package io.vdetach.api;

/** How extraction would write a run of a file ({@link DataRun}). */
public enum RunKind {
    /** Stored as-is in an image file at an offset aligned with the host's blocks: can share (clone) those blocks. */
    SHARE,
    /** Stored as-is in an image file, but not shareable (unaligned, a partial block): copied. */
    COPY,
    /** Reads as zeros and occupies nothing: stays sparse. */
    HOLE,
    /** Not stored as-is anywhere (compressed, resident in metadata, encrypted): decoded, then written. */
    MATERIALISE
}
