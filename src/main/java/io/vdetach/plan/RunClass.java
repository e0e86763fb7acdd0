package io.vdetach.plan;

/** What apply does with a run of a file. */
public enum RunClass {
    /** Clone the host blocks of the image into the file (FICLONERANGE). */
    SHARE,
    /** Copy bytes that lie as-is in a host file (copy_file_range). */
    COPY,
    /** Nothing to write: the run reads as zeros and stays sparse. */
    HOLE,
    /** Decode through the guest layers (compressed, resident, inline) and write. */
    MATERIALISE
}
