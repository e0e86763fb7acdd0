package io.vdetach.api;

/** What extraction does when a name already exists in DEST. */
public enum OnConflict {
    /** Write the entry as "name (1).ext", "name (2).ext", … */
    RENAME,
    /** Leave the existing file and skip the entry. */
    SKIP,
    /** Replace the existing file. */
    OVERWRITE,
    /** Count the entry as failed. */
    FAIL
}
