package io.vdetach.apply.offline.device;

import io.vdetach.error.HostException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Saves every block's old contents to an undo file before the first write to it, like
 * e2fsprogs' undo_io manager. The record is synced before the overwrite, so a crash at any
 * point leaves an undo file that restores the device byte for byte ({@link #restore}).
 *
 * <p>File layout (little-endian): a 64-byte header {@code "VDUNDO01", u32 block size,
 * u32 0, u64 device blocks, 16-byte filesystem id, u64 byte offset of block 0 on the device
 * (a partition's start), zeros}; then records
 * {@code u64 block, u32 crc32c(block number, data), u32 0, data[block size]}. A torn last
 * record (crash while appending) fails its checksum and is ignored: its block was never
 * overwritten, because the overwrite waits for the sync.
 */
public final class UndoLog extends ForwardingDevice {
    static final byte[] MAGIC = "VDUNDO01".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int HEADER = 64;
    static final int RECORD_HEAD = 16;

    private final FileChannel undo;
    private final LongSet saved = new LongSet();
    private long recordsWritten;

    private UndoLog(BlockDevice inner, FileChannel undo) {
        super(inner);
        this.undo = undo;
    }

    /** Creates {@code undoFile} (it must not exist) and wraps {@code inner}. */
    public static UndoLog create(BlockDevice inner, Path undoFile, byte[] fsId, long deviceOffset) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(undoFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new HostException("undo file " + undoFile + " already exists; refusing to overwrite a previous run's undo data");
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.put(MAGIC).putInt(inner.blockSize()).putInt(0).putLong(inner.blockCount());
        h.put(fsId, 0, Math.min(16, fsId.length));
        h.putLong(40, deviceOffset);
        h.position(HEADER).flip();
        while (h.hasRemaining()) ch.write(h);
        ch.force(true);
        return new UndoLog(inner, ch);
    }

    public long recordsWritten() { return recordsWritten; }

    @Override
    public void willWrite(long[] blocks) throws IOException {
        boolean any = false;
        for (long b : blocks) any |= save(b);
        if (any) undo.force(false);
        inner.willWrite(blocks);
    }

    @Override
    public void write(long block, byte[] src) throws IOException {
        if (save(block)) undo.force(false);
        inner.write(block, src);
    }

    /** Appends the block's current contents unless already saved; true when it appended. */
    private boolean save(long block) throws IOException {
        if (!saved.add(block)) return false;
        byte[] old = new byte[inner.blockSize()];
        inner.read(block, old);
        ByteBuffer rec = ByteBuffer.allocate(RECORD_HEAD + old.length).order(ByteOrder.LITTLE_ENDIAN);
        rec.putLong(block).putInt(checksum(block, old)).putInt(0).put(old).flip();
        long pos = undo.size();
        while (rec.hasRemaining()) pos += undo.write(rec, pos);
        recordsWritten++;
        return true;
    }

    static int checksum(long block, byte[] data) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(block).flip());
        c.update(data);
        return (int) c.getValue();
    }

    @Override
    public void close() throws IOException {
        try {
            undo.force(true);
            undo.close();
        } finally {
            inner.close();
        }
    }

    /**
     * Writes every saved block back to {@code dev}.
     *
     * @return the number of blocks restored
     */
    public static long restore(Path undoFile, BlockDevice dev) throws IOException {
        try (FileChannel ch = FileChannel.open(undoFile, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            h.flip();
            byte[] magic = new byte[8];
            h.get(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) throw new HostException(undoFile + " is not a vdetach undo file");
            int bs = h.getInt();
            h.getInt();
            long blocks = h.getLong();
            if (bs != dev.blockSize() || blocks != dev.blockCount()) {
                throw new HostException(undoFile + " was made for a device of " + blocks + " blocks of " + bs
                        + " bytes, this one has " + dev.blockCount() + " of " + dev.blockSize());
            }
            long pos = HEADER;
            long size = ch.size();
            long restored = 0;
            ByteBuffer rec = ByteBuffer.allocate(RECORD_HEAD + bs).order(ByteOrder.LITTLE_ENDIAN);
            byte[] data = new byte[bs];
            while (pos + rec.capacity() <= size) {
                rec.clear();
                readFully(ch, rec, pos);
                rec.flip();
                long block = rec.getLong();
                int crc = rec.getInt();
                rec.getInt();
                rec.get(data);
                if (block < 0 || block >= blocks || checksum(block, data) != crc) break; // torn last record
                dev.write(block, data);
                restored++;
                pos += rec.capacity();
            }
            dev.flush();
            return restored;
        }
    }

    /** What an undo file's header says about the device it was made for. */
    public record Header(int blockSize, long blocks, long offset) {}

    public static Header header(Path undoFile) throws IOException {
        try (FileChannel ch = FileChannel.open(undoFile, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            byte[] magic = new byte[8];
            h.get(0, magic);
            int bs = h.getInt(8);
            long blocks = h.getLong(16);
            long off = h.getLong(40);
            if (!java.util.Arrays.equals(magic, MAGIC) || bs < 512 || bs > 65536 || Integer.bitCount(bs) != 1 || blocks < 0 || off < 0) {
                throw new HostException(undoFile + " is not a vdetach undo file");
            }
            return new Header(bs, blocks, off);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) throw new HostException("undo file ends early at offset " + (pos + b.position()));
        }
    }

    /** An open-addressing set of block numbers (a million blocks cost 16 MiB, not 50). */
    static final class LongSet {
        private long[] keys = new long[1024];
        private boolean[] used = new boolean[1024];
        private int size;

        boolean add(long k) {
            if (size * 2 >= keys.length) grow();
            int mask = keys.length - 1;
            int i = (int) (mix(k) & mask);
            while (used[i]) {
                if (keys[i] == k) return false;
                i = (i + 1) & mask;
            }
            used[i] = true;
            keys[i] = k;
            size++;
            return true;
        }

        private static long mix(long k) {
            k *= 0x9E3779B97F4A7C15L;
            return k ^ (k >>> 29);
        }

        private void grow() {
            long[] ok = keys;
            boolean[] ou = used;
            keys = new long[ok.length * 2];
            used = new boolean[ok.length * 2];
            size = 0;
            for (int i = 0; i < ok.length; i++) if (ou[i]) add(ok[i]);
        }
    }
}
