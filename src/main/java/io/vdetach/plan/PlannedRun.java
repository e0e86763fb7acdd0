package io.vdetach.plan;

import io.vdetach.extent.HostFile;

/**
 * One run of a file as apply will write it.
 *
 * @param source the host file holding the bytes (SHARE, COPY), else null
 * @param reason why the run is not shared (empty for SHARE and HOLE)
 * @param cloneBeyondEnd SHARE of a last partial block: clone the whole block, then truncate
 */
public record PlannedRun(long fileOffset, long length, RunClass kind, HostFile source, long sourceOffset,
                         String reason, boolean cloneBeyondEnd) {}
