package io.vdetach.image.qcow2;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One internal snapshot, from the snapshot table (spec, "Snapshots"): its id and name as
 * {@code qemu-img snapshot -l} shows them, the guest disk size it had, when it was taken,
 * the L1 table that describes its disk, and where its table entry lies.
 */
record Snapshot(String id, String name, long size, Instant date, long l1TableOffset, int l1Size, long at) {

    /** QEMU's QCOW_MAX_SNAPSHOTS: more entries than this are refused. */
    static final int MAX_SNAPSHOTS = 65536;
    /** QEMU's QCOW_MAX_SNAPSHOT_EXTRA_DATA. */
    static final int MAX_EXTRA_DATA = 1024;
    private static final int FIXED = 40;

    /** Reads the whole table; an entry without the disk size field (old QEMU) has the image's size. */
    static List<Snapshot> readTable(HostFile file, Qcow2Header h) throws IOException {
        if (h.nbSnapshots() == 0) return List.of();
        if (h.nbSnapshots() < 0 || h.nbSnapshots() > MAX_SNAPSHOTS) {
            throw new CorruptImageException("qcow2", "header.nb_snapshots", 60, Integer.toUnsignedString(h.nbSnapshots())
                    + " snapshots (at most " + MAX_SNAPSHOTS + ")");
        }
        long pos = h.snapshotsOffset();
        if (pos <= 0 || pos % 8 != 0 || pos >= file.size()) {
            throw new CorruptImageException("qcow2", "header.snapshots_offset", 64, "snapshot table at " + pos
                    + " is unaligned or outside the file of " + file.size() + " bytes");
        }
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < h.nbSnapshots(); i++) {
            ByteBuffer fixed = read(file, pos, FIXED);
            long l1Offset = fixed.getLong(0);
            int l1Size = fixed.getInt(8);
            int idSize = fixed.getShort(12) & 0xffff;
            int nameSize = fixed.getShort(14) & 0xffff;
            long dateSec = Integer.toUnsignedLong(fixed.getInt(16));
            long dateNsec = Integer.toUnsignedLong(fixed.getInt(20));
            long extraSize = Integer.toUnsignedLong(fixed.getInt(36));
            if (extraSize > MAX_EXTRA_DATA) {
                throw new CorruptImageException("qcow2", "snapshot table entry " + i, pos, "extra data of "
                        + extraSize + " bytes (at most " + MAX_EXTRA_DATA + ")");
            }
            int rest = (int) extraSize + idSize + nameSize;
            ByteBuffer var = read(file, pos + FIXED, rest);
            long size = h.size();
            // extra data: vm_state_size_large (8), disk_size (8), icount (8)
            if (extraSize >= 16) size = var.getLong(8);
            if (size < 0) {
                throw new CorruptImageException("qcow2", "snapshot table entry " + i, pos + FIXED + 8, "negative disk size");
            }
            String id = text(var, (int) extraSize, idSize);
            String name = text(var, (int) extraSize + idSize, nameSize);
            out.add(new Snapshot(id, name, size, Instant.ofEpochSecond(dateSec, Math.min(dateNsec, 999_999_999L)),
                    l1Offset, l1Size, pos));
            pos += FIXED + rest;
            pos = (pos + 7) & ~7L;
        }
        return List.copyOf(out);
    }

    private static ByteBuffer read(HostFile file, long pos, int n) throws IOException {
        if (pos + n > file.size()) {
            throw new CorruptImageException("qcow2", "snapshot table", pos, "entry runs past the end of the file");
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.BIG_ENDIAN);
        file.readFully(pos, b);
        return b.flip();
    }

    private static String text(ByteBuffer b, int at, int n) {
        byte[] bytes = new byte[n];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
