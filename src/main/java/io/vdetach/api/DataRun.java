package io.vdetach.api;

import java.nio.file.Path;

/**
 * One run of a file's content and where its bytes lie on the host: the file's run map as
 * extraction classifies it ({@link Entry#runs()}).
 *
 * @param start offset in the file
 * @param hostFile the image file (or backing file, extent, segment) holding the bytes as-is; null for
 *     {@link RunKind#HOLE} and {@link RunKind#MATERIALISE}
 * @param hostOffset the byte offset in {@code hostFile}; -1 when there is none
 * @param reason why the run is not shared ("file tail smaller than a host block", "compressed cluster");
 *     empty for shared runs and holes
 */
public record DataRun(long start, long length, RunKind kind, Path hostFile, long hostOffset, String reason) {
    public long end() { return start + length; }
}
