package io.vdetach.guestfs.ntfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.MappedLayer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A WOF (Windows Overlay Filter, "CompactOS") file compressed with XPRESS: its data lives in
 * the named stream WofCompressedData, laid out like a WIM resource: a table of the offsets of
 * chunks 1..n-1 (4-byte entries, 8-byte when the file is 4 GiB or more), measured from the
 * table's end, then the chunks; a chunk stored at its uncompressed size is not compressed.
 */
final class WofStream extends MappedLayer {
    static final String STREAM = "WofCompressedData";

    private final NtfsStream compressed;
    private final long size;
    private final int chunkSize;
    private final String reason;
    private final String name;
    private final long chunks;
    private final int entrySize;
    private final long tableBytes;
    private final ChunkDecoder decoder;
    private long cachedChunk = -1;
    private byte[] cachedBytes;

    /** Decompresses one chunk; returns null on success, else why the data is invalid. */
    interface ChunkDecoder {
        String decompress(byte[] src, int srcLen, byte[] dst, int dstLen);
    }

    WofStream(NtfsStream compressed, long size, int chunkSize, String algorithm, String name) {
        this.decoder = algorithm.equals("LZX") ? new Lzx() : new XpressHuffman();
        this.compressed = compressed;
        this.size = size;
        this.chunkSize = chunkSize;
        this.reason = "WOF " + algorithm + "-compressed";
        this.name = name;
        this.chunks = (size + chunkSize - 1) / chunkSize;
        this.entrySize = size >= (1L << 32) ? 8 : 4;
        this.tableBytes = chunks == 0 ? 0 : (chunks - 1) * entrySize;
        if (tableBytes > compressed.size()) {
            throw new CorruptImageException("ntfs", name + " WOF chunk table", compressed.volumeOffset(0),
                    chunks + " chunks need a " + tableBytes + "-byte table, the stream has " + compressed.size());
        }
    }

    @Override public long size() { return size; }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        return List.of(new Run.Materialise(offset, end - offset, reason));
    }

    @Override
    protected void readMaterialised(Run.Materialise run, ByteBuffer dst) throws IOException {
        long pos = run.start();
        while (pos < run.end()) {
            long c = pos / chunkSize;
            byte[] chunk = chunk(c);
            int from = (int) (pos - c * chunkSize);
            int n = (int) Math.min(chunk.length - from, run.end() - pos);
            dst.put(chunk, from, n);
            pos += n;
        }
    }

    private long entry(long i) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(entrySize).order(ByteOrder.LITTLE_ENDIAN);
        compressed.readFully(i * entrySize, b);
        return entrySize == 8 ? b.getLong(0) : b.getInt(0) & 0xffffffffL;
    }

    private synchronized byte[] chunk(long c) throws IOException {
        if (c == cachedChunk) return cachedBytes;
        long start = tableBytes + (c == 0 ? 0 : entry(c - 1));
        long end = c == chunks - 1 ? compressed.size() : tableBytes + entry(c);
        int usize = (int) Math.min(chunkSize, size - c * chunkSize);
        if (start < tableBytes || end < start || end > compressed.size() || end - start > usize) {
            throw new CorruptImageException("ntfs", name + " WOF chunk " + c,
                    compressed.volumeOffset(Math.max(0, c - 1) * entrySize), "chunk bounds " + start + ".." + end);
        }
        int csize = (int) (end - start);
        byte[] src = new byte[csize];
        compressed.readFully(start, ByteBuffer.wrap(src));
        byte[] out;
        if (csize == usize) {
            out = src;
        } else {
            out = new byte[usize];
            String bad = decoder.decompress(src, csize, out, usize);
            if (bad != null) {
                throw new CorruptImageException("ntfs", name + " WOF chunk " + c, compressed.volumeOffset(start),
                        algorithm() + ": " + bad);
            }
        }
        cachedChunk = c;
        cachedBytes = out;
        return out;
    }

    private String algorithm() { return reason.substring(4, reason.indexOf('-')); }

    @Override public String describe() { return name; }
}
