package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An unlocked BitLocker volume's plaintext, read through its {@link Layout}: encrypted ranges map
 * as {@code Run.Materialise("decrypt")} (never shareable: the bytes exist nowhere as they read)
 * and are decrypted sector by sector on read; plaintext ranges map onto the raw volume; metadata
 * areas are holes. A range that cannot be read is an error naming its sectors, never ciphertext.
 */
final class DecryptedVolume implements Layer {
    static final String REASON = "decrypt";
    /** Bytes read and decrypted at a time: whole sectors, few enough to stay in a core's L2 cache. */
    private static final int PIECE = 64 << 10;
    private static final byte[] NTFS_SIGNATURE = "NTFS    ".getBytes(StandardCharsets.US_ASCII);

    private final Layer raw;
    private final Layout layout;
    private final SectorCipher cipher;
    private final long vistaMftMirror;
    private final String name;
    /** One piece-sized array per thread, shared by every volume (one per volume would pile up in long-lived threads). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[PIECE]);

    /** @param vistaMftMirror Vista: the MFT mirror cluster the rebuilt boot sector names */
    DecryptedVolume(Layer raw, Layout layout, SectorCipher cipher, long vistaMftMirror) {
        this.raw = raw;
        this.layout = layout;
        this.cipher = cipher;
        this.vistaMftMirror = vistaMftMirror;
        this.name = raw.describe() + " (BitLocker, decrypted)";
    }

    @Override
    public long size() { return layout.size(); }

    @Override
    public String describe() { return name; }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size(), offset + length);
        List<Run> out = new ArrayList<>();
        if (offset < 0 || end <= offset) return out;
        for (int i = layout.find(offset); i < layout.segments().size(); i++) {
            Layout.Segment s = layout.segments().get(i);
            if (s.start() >= end) break;
            long a = Math.max(offset, s.start()), b = Math.min(end, s.end());
            out.add(switch (s.kind()) {
                case ZERO -> new Run.Hole(a, b - a);
                case PLAIN -> new Run.Mapped(a, b - a, raw, s.source() + (a - s.start()));
                case DECRYPT, VISTA_BOOT -> new Run.Materialise(a, b - a, REASON);
            });
        }
        return out;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset >= size() || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), size() - offset);
        int limit = dst.limit();
        long pos = offset, end = offset + want;
        try {
            for (int i = layout.find(offset); pos < end; i++) {
                Layout.Segment s = layout.segments().get(i);
                int n = (int) (Math.min(end, s.end()) - pos);
                dst.limit(dst.position() + n);
                long src = s.source() + (pos - s.start());
                switch (s.kind()) {
                    case ZERO -> {
                        while (dst.remaining() >= 8) dst.putLong(0L);
                        while (dst.hasRemaining()) dst.put((byte) 0);
                    }
                    case PLAIN -> raw.readFully(src, dst);
                    case DECRYPT -> decrypt(src, n, dst);
                    case VISTA_BOOT -> dst.put(vistaBootSector(), (int) pos, n);
                }
                dst.limit(limit);
                pos += n;
            }
        } finally {
            dst.limit(limit);
        }
        return want;
    }

    /**
     * Decrypts {@code n} bytes stored at {@code src} of the raw volume into {@code dst}, in pieces of
     * {@link #PIECE} bytes (read into a per-thread array, decrypted there while it is in the
     * core's cache, copied out), spread over the cores when there are several pieces.
     */
    private void decrypt(long src, int n, ByteBuffer dst) throws IOException {
        int ss = cipher.sectorSize();
        long from = src - Math.floorMod(src, ss);
        long to = src + n;
        long span = roundUp(to, ss) - from;
        int pieces = (int) ((span + PIECE - 1) / PIECE);
        int at = dst.position();
        SectorWorkers.run(pieces, i -> {
            long c = from + (long) i * PIECE;
            int len = (int) Math.min(PIECE, from + span - c);
            byte[] buf = SCRATCH.get();
            try {
                raw.readFully(c, ByteBuffer.wrap(buf, 0, len));
            } catch (IOException | RuntimeException e) {
                throw unreadable(c, len, ss, e);
            }
            cipher.decrypt(c, buf, 0, len);
            int skip = (int) Math.max(0, src - c);
            int take = (int) Math.min(len - skip, to - (c + skip));
            dst.put(at + (int) (c + skip - src), buf, skip, take);
        });
        dst.position(at + n);
    }

    private CorruptImageException unreadable(long at, int len, int ss, Exception cause) {
        long first = at / ss, last = (at + len) / ss - 1;
        return new CorruptImageException(VolumeHeader.FORMAT, "encrypted sectors " + first + "-" + last, at,
                "cannot be read to decrypt (bytes " + at + "-" + (at + len - 1) + " of " + raw.describe() + "): " + cause.getMessage(),
                cause);
    }

    /** Vista's boot sector: the stored one with the NTFS signature and MFT mirror cluster put back. */
    private byte[] vistaBootSector() throws IOException {
        ByteBuffer b = raw.readBytes(0, Layout.BOOT_SECTOR);
        b.put(3, NTFS_SIGNATURE);
        b.putLong(56, vistaMftMirror);
        return b.array();
    }

    private static long roundUp(long v, int unit) {
        return (v + unit - 1) / unit * unit;
    }
}
