package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays the log of a VHDX whose header has a non-zero LogGuid ([MS-VHDX] 2.3.3), in memory:
 * find the active sequence (the valid run of consecutive entries, each one sequence number
 * higher, that the head's Tail points to, with the highest head sequence number) and apply its
 * descriptors in order over a view of the file. The file itself is never written.
 */
final class VhdxLog {
    /**
     * Hyper-V and qemu make 1 MiB logs. The log is read whole, and replay keeps up to its size in
     * data blocks plus one small object per 32-byte descriptor (valid entries cannot overlap: every
     * sector of one starts with "loge", a descriptor or "data"), so 16 MiB bounds memory to tens of MiB.
     */
    static final long MAX_LOG_BYTES = 16L << 20;
    /** Entries visited while looking for the active sequence: bounds work on a hostile log. */
    private static final long MAX_WALK_STEPS = 1L << 22;

    private VhdxLog() {}

    static VhdxReplayedFile replay(HostFile file, VhdxHeader h, long headerAt) throws IOException {
        long off = h.logOffset();
        long len = h.logLength();
        String structure = "log";
        if (len == 0 || len % (1 << 20) != 0 || off < (1 << 20) || off % (1 << 20) != 0 || off > file.size()
                || len > file.size() - off) {
            throw new CorruptImageException("vhdx", "header", headerAt + 68, "log of " + len + " bytes at " + off
                    + " is misaligned or lies outside the file, but LogGuid " + h.logGuid() + " says it must be replayed");
        }
        if (len > MAX_LOG_BYTES) {
            throw UnsupportedImageException.because("vhdx", "VHDX log needs replay (LogGuid " + h.logGuid()
                    + "), and its " + len + "-byte log is larger than the " + MAX_LOG_BYTES + " bytes replayed in memory");
        }
        byte[] log = new byte[(int) len];
        file.readFully(off, ByteBuffer.wrap(log));
        int sectors = log.length / VhdxLogEntry.SECTOR;
        Map<Integer, VhdxLogEntry> valid = new HashMap<>();
        for (int s = 0; s < sectors; s++) {
            VhdxLogEntry e = VhdxLogEntry.parse(log, s, h.logGuid());
            if (e != null) valid.put(s, e);
        }
        List<VhdxLogEntry> heads = new ArrayList<>(valid.values());
        heads.sort(Comparator.comparingLong(VhdxLogEntry::sequenceNumber).reversed());
        long steps = 0;
        for (VhdxLogEntry head : heads) {
            if (head.tail() % VhdxLogEntry.SECTOR != 0 || head.tail() >= len) continue;
            List<VhdxLogEntry> sequence = new ArrayList<>();
            VhdxLogEntry cur = valid.get((int) (head.tail() / VhdxLogEntry.SECTOR));
            while (cur != null && sequence.size() <= sectors) {
                if (++steps > MAX_WALK_STEPS) {
                    throw new CorruptImageException("vhdx", structure, off, "no active sequence found within "
                            + MAX_WALK_STEPS + " steps");
                }
                sequence.add(cur);
                if (cur == head) break;
                VhdxLogEntry next = valid.get((cur.startSector() + cur.sectors()) % sectors);
                cur = next != null && next.sequenceNumber() == cur.sequenceNumber() + 1 ? next : null;
            }
            if (sequence.isEmpty() || sequence.getLast() != head) continue;
            return apply(file, sequence, head, off);
        }
        throw new CorruptImageException("vhdx", structure, off, "LogGuid " + h.logGuid()
                + " says the log must be replayed, but it holds no valid sequence of entries");
    }

    private static VhdxReplayedFile apply(HostFile file, List<VhdxLogEntry> sequence, VhdxLogEntry head, long logAt) {
        if (head.flushedFileOffset() > file.size()) {
            throw new CorruptImageException("vhdx", "log entry", logAt + (long) head.startSector() * VhdxLogEntry.SECTOR,
                    "FlushedFileOffset " + head.flushedFileOffset() + " is past the end of the file (" + file.size()
                            + " bytes): the file was truncated after the log was written");
        }
        long size = Math.max(file.size(), head.lastFileOffset());
        VhdxReplayedFile view = new VhdxReplayedFile(file, size);
        for (VhdxLogEntry e : sequence) {
            for (VhdxLogEntry.Descriptor d : e.descriptors()) {
                long end = d.fileOffset() + d.length();
                if (end > size) {
                    throw new CorruptImageException("vhdx", "log entry", logAt + (long) e.startSector() * VhdxLogEntry.SECTOR,
                            "descriptor writes " + d.length() + " bytes at " + d.fileOffset() + ", past the file's "
                                    + size + " bytes");
                }
                if (d.length() > 0) view.put(d.fileOffset(), end, d.data());
            }
        }
        return view;
    }
}
