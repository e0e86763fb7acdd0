package io.vdetach.apply.offline;

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
                            int blockSize, boolean dryRun, double seconds, java.util.List<String> notes) {

    public String toJson() {
        return String.format(java.util.Locale.ROOT,
                "{\"files\":%d,\"directories\":%d,\"symlinks\":%d,\"hardlinks\":%d,\"others\":%d,\"bytes_total\":%d,"
                        + "\"blocks_donated\":%d,\"blocks_copied\":%d,\"blocks_freed\":%d,\"metadata_blocks_written\":%d,"
                        + "\"block_size\":%d,\"dry_run\":%b,\"seconds\":%.3f,\"notes\":[%s]}",
                files, directories, symlinks, hardlinks, others, bytesTotal, blocksDonated, blocksCopied, blocksFreed,
                metadataBlocksWritten, blockSize, dryRun, seconds,
                String.join(",", notes.stream().map(n -> "\"" + n.replace("\\", "\\\\").replace("\"", "\\\"") + "\"").toList()));
    }
}
