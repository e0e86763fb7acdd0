package io.vdetach.volume.vss;

import io.vdetach.extent.Layer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A store's block range list ("Store block range list"): the pieces of the volume its diff area
 * occupies. Preserved blocks must lie inside them.
 */
final class StoreRanges {
    /**
     * 256 blocks hold 173,312 ranges (Windows grows a diff area in large pieces: 2 in each corpus
     * store); a diff area in more pieces is beyond what vdetach reads.
     */
    private static final BlockChain.Limit LIMIT = new BlockChain.Limit(256, true, "a diff area in more than 173,312 pieces");

    private final long[] starts;
    private final long[] ends;

    private StoreRanges(List<BlockRange> ranges) {
        ranges.sort(Comparator.comparingLong(BlockRange::storeOffset));
        starts = new long[ranges.size()];
        ends = new long[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            starts[i] = ranges.get(i).storeOffset();
            ends[i] = ranges.get(i).end();
        }
    }

    /** The range list whose first block is at {@code first} (checked by the caller). */
    static StoreRanges read(Layer volume, long first) throws IOException {
        List<BlockRange> ranges = new ArrayList<>();
        long size = volume.size();
        BlockChain.walk(volume, first, BlockHeader.RANGE_LIST, LIMIT, false, (b, at, h) -> {
            for (int pos = BlockHeader.SIZE; pos + BlockRange.SIZE <= Vss.BLOCK; pos += BlockRange.SIZE) {
                BlockRange r = BlockRange.parse(b, pos, at, size);
                if (r != null) ranges.add(r);
            }
        });
        return new StoreRanges(ranges);
    }

    /** Whether {@code [offset, offset + length)} lies inside one range. */
    boolean contains(long offset, long length) {
        int lo = 0, hi = starts.length - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && offset + length <= ends[found];
    }
}
