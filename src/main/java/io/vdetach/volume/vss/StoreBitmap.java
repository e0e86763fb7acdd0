package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A store's current or previous bitmap ("Store bitmap"): one bit per 16 KiB block of the volume,
 * least significant bit first, set where the block was not in use by the store. Its blocks are
 * read when asked, through the opened image's cache.
 */
final class StoreBitmap {
    /** Bits after each bitmap block's header. */
    private static final long BITS_PER_BLOCK = (Vss.BLOCK - BlockHeader.SIZE) * 8L;

    private final Layer volume;
    private final long[] blocks;
    private final BlockCache.Region<byte[]> cache;

    private StoreBitmap(Layer volume, long[] blocks, BlockCache.Region<byte[]> cache) {
        this.volume = volume;
        this.blocks = blocks;
        this.cache = cache;
    }

    /**
     * The bitmap whose first block is at {@code first} (checked by the caller), covering a volume of
     * {@code volumeSize} bytes; {@code field} is where {@code first} was read, for messages.
     */
    static StoreBitmap read(Layer volume, long first, long volumeSize, long field, BlockCache cache, String name) throws IOException {
        long needed = (volumeSize / Vss.BLOCK + BITS_PER_BLOCK - 1) / BITS_PER_BLOCK;
        List<Long> offsets = new ArrayList<>();
        BlockChain.walk(volume, first, BlockHeader.BITMAP, new BlockChain.Limit(2 * needed + 1, false,
                needed + " cover the volume"), true, (b, at, h) -> offsets.add(at));
        if (offsets.size() < needed) {
            throw new CorruptImageException(Vss.FORMAT, "store bitmap", field, offsets.size() + " bitmap blocks, "
                    + needed + " needed for a volume of " + volumeSize + " bytes");
        }
        long[] blocks = offsets.stream().mapToLong(Long::longValue).toArray();
        return new StoreBitmap(volume, blocks, cache.region("vss " + name, a -> a.length));
    }

    /** Whether the 16 KiB block at volume offset {@code block} is marked as not in use. */
    boolean notInUse(long block) throws IOException {
        long bit = block / Vss.BLOCK;
        int i = (int) (bit / BITS_PER_BLOCK);
        if (i >= blocks.length) return false;
        byte[] bits = cache.get(i, this::load);
        int inBlock = (int) (bit % BITS_PER_BLOCK);
        return (bits[inBlock >>> 3] >>> (inBlock & 7) & 1) != 0;
    }

    private byte[] load(long i) throws IOException {
        ByteBuffer b = volume.readBytes(blocks[(int) i] + BlockHeader.SIZE, Vss.BLOCK - BlockHeader.SIZE);
        byte[] bits = new byte[b.remaining()];
        b.get(bits);
        return bits;
    }
}
