package io.vdetach.plan;

import java.util.List;

/**
 * What a plan will take of DEST's filesystem: the host blocks its writes fill (partial blocks,
 * copies, decoded data; shared runs take none), and the most its free space drops during the
 * run — those blocks, plus what each entry made costs the host (inode, directory entry).
 * That is also the peak because the writer reserves every block it writes before writing it
 * (fallocate): nothing waits for writeback holding more (docs/benchmarks.md, "Transient space").
 *
 * @param bytesWritten whole host blocks the written runs touch, in bytes
 * @param peakBytes the predicted largest drop of DEST's free space during the run
 */
public record HostSpace(long bytesWritten, long peakBytes) {

    /**
     * @param blocks host blocks written (sum of {@link #blocksWritten} over the files)
     * @param metadataBytes what the names made cost the host (inodes, directories: HostFilesystem.metadataBytes)
     */
    public static HostSpace of(long blocks, int blockSize, long metadataBytes) {
        long written = Math.multiplyExact(blocks, (long) blockSize);
        return new HostSpace(written, Math.addExact(written, metadataBytes));
    }

    /**
     * The host blocks one file's written runs (COPY, MATERIALISE) touch, each block once: a
     * run's partial blocks at either end cost a whole block, shared with a neighbouring run
     * that ends or starts in it. Runs come in file order (as {@link Classifier#classify} makes them).
     */
    public static long blocksWritten(List<PlannedRun> runs, int blockSize) {
        long blocks = 0;
        long last = -1; // the last block counted
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.COPY && r.kind() != RunClass.MATERIALISE || r.length() == 0) continue;
            long first = r.fileOffset() / blockSize;
            long end = (r.fileOffset() + r.length() - 1) / blockSize;
            if (first <= last) first = last + 1;
            if (end >= first) blocks += end - first + 1;
            last = Math.max(last, end);
        }
        return blocks;
    }
}
