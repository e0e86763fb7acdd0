package io.vdetach.apply.offline;

import io.vdetach.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an offline detach did (or would do, for a dry run). Block counts are host blocks.
 *
 * @param hardlinks names beyond the first of multiply-linked inodes
 * @param others fifos, sockets and device nodes
 * @param blocksDonated image blocks that now belong to extracted files
 * @param blocksCopied data blocks written (unaligned, shared, materialised or foreign runs)
 * @param blocksFreed image blocks returned to free space
 * @param metadataBlocksWritten inode table, directory, extent, xattr, bitmap, descriptor and superblock blocks
 * @param notes what a user should know (a host directory whose htree index was dropped …)
 */
public record OfflineReport(long files, long directories, long symlinks, long hardlinks, long others, long bytesTotal,
                            long blocksDonated, long blocksCopied, long blocksFreed, long metadataBlocksWritten,
                            int blockSize, boolean dryRun, double seconds, List<String> notes) {

    public OfflineReport {
        notes = List.copyOf(notes);
    }

    public OfflineReport withSeconds(double s) {
        return new OfflineReport(files, directories, symlinks, hardlinks, others, bytesTotal, blocksDonated, blocksCopied,
                blocksFreed, metadataBlocksWritten, blockSize, dryRun, s, notes);
    }

    /** One line of JSON, through the writer every report uses. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", files);
        m.put("directories", directories);
        m.put("symlinks", symlinks);
        m.put("hardlinks", hardlinks);
        m.put("others", others);
        m.put("bytes_total", bytesTotal);
        m.put("blocks_donated", blocksDonated);
        m.put("blocks_copied", blocksCopied);
        m.put("blocks_freed", blocksFreed);
        m.put("metadata_blocks_written", metadataBlocksWritten);
        m.put("block_size", blockSize);
        m.put("dry_run", dryRun);
        m.put("seconds", seconds);
        m.put("notes", notes);
        return Json.line(m);
    }
}
