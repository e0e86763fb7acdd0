package io.vdetach.api;

/** Whether extraction shares the image's blocks with the new files. */
public enum ShareMode {
    /** Share where DEST's filesystem can (reflinks, the image on the same filesystem), copy the rest. */
    AUTO,
    /** Share, and fail ({@link FailureKind#HOST}) when DEST cannot share with the image at all. */
    SHARE,
    /** Never share: copy every byte (one ordered pass over the image). */
    COPY
}
