package io.vdetach.apply.offline;

import io.vdetach.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
 * @param format the image's format ("qcow2", "raw" …)
 * @param bytesDonated file bytes in donated blocks (a file's last block counts its bytes only)
 * @param bytesCopiedByReason file bytes in copied blocks, by why they could not be handed over
 *     ({@link CopyReason}); their sum is {@link #bytesCopied()}
 * @param imageFilesRemoved host paths of the image files whose blocks were handed over and which are gone
 * @param backingFilesKept host paths of chain files left in place (their runs were copied)
 */
public record OfflineReport(long files, long directories, long symlinks, long hardlinks, long others, long bytesTotal,
                            long blocksDonated, long blocksCopied, long blocksFreed, long metadataBlocksWritten,
                            int blockSize, boolean dryRun, double seconds, List<String> notes, String format,
                            long bytesDonated, Map<String, Long> bytesCopiedByReason, List<String> imageFilesRemoved,
                            List<String> backingFilesKept) {

    public OfflineReport {
        notes = List.copyOf(notes);
        bytesCopiedByReason = java.util.Collections.unmodifiableMap(new TreeMap<>(bytesCopiedByReason));
        imageFilesRemoved = List.copyOf(imageFilesRemoved);
        backingFilesKept = List.copyOf(backingFilesKept);
    }

    /** File bytes written into new blocks. */
    public long bytesCopied() {
        return bytesCopiedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    public OfflineReport withSeconds(double s) {
        return new OfflineReport(files, directories, symlinks, hardlinks, others, bytesTotal, blocksDonated, blocksCopied,
                blocksFreed, metadataBlocksWritten, blockSize, dryRun, s, notes, format, bytesDonated, bytesCopiedByReason,
                imageFilesRemoved, backingFilesKept);
    }

    /** One line of JSON, through the writer every report uses. */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("files", files);
        m.put("directories", directories);
        m.put("symlinks", symlinks);
        m.put("hardlinks", hardlinks);
        m.put("others", others);
        m.put("bytes_total", bytesTotal);
        m.put("bytes_donated", bytesDonated);
        m.put("bytes_copied", bytesCopied());
        m.put("bytes_copied_by_reason", bytesCopiedByReason);
        m.put("blocks_donated", blocksDonated);
        m.put("blocks_copied", blocksCopied);
        m.put("blocks_freed", blocksFreed);
        m.put("metadata_blocks_written", metadataBlocksWritten);
        m.put("block_size", blockSize);
        m.put("image_files_removed", imageFilesRemoved);
        m.put("backing_files_kept", backingFilesKept);
        m.put("dry_run", dryRun);
        m.put("seconds", seconds);
        m.put("notes", notes);
        return Json.line(m);
    }
}
