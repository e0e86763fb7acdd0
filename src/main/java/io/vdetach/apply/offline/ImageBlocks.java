package io.vdetach.apply.offline;

import io.vdetach.apply.offline.ext4.BlockRun;
import io.vdetach.error.HostException;
import io.vdetach.guestfs.ext.codec.Ext4Extent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * The blocks of some host files (the image files a detach hands over, or the backing files it
 * leaves), numbered 0, 1, … file after file (a file's logical block plus its file's base), so
 * one bit set per question covers them all: which device block is which, and back.
 */
final class ImageBlocks {
    /** One extent of one file: the file's base index and the extent. */
    private record Placed(long base, Ext4Extent extent) {
        long first() { return base + extent.logical(); }
    }

    private final List<HostFsFile> files;
    /** Extents of every file by physical block. */
    private final Placed[] byPhys;
    private final long[] physStarts;
    private final int count;

    ImageBlocks(List<HostFsFile> files) {
        this.files = List.copyOf(files);
        List<Placed> all = new ArrayList<>();
        long base = 0;
        for (HostFsFile f : files) {
            long end = 0;
            for (Ext4Extent e : f.extents()) {
                all.add(new Placed(base, e));
                end = Math.max(end, e.logicalEnd());
            }
            base += end;
        }
        // bit sets index blocks with ints
        if (base > Integer.MAX_VALUE) {
            throw new HostException("image files of more than 2^31 blocks together are too large for an offline detach");
        }
        this.count = (int) base;
        this.byPhys = all.stream().sorted((a, b) -> Long.compare(a.extent().physical(), b.extent().physical())).toArray(Placed[]::new);
        this.physStarts = Arrays.stream(byPhys).mapToLong(p -> p.extent().physical()).toArray();
    }

    List<HostFsFile> files() { return files; }

    /** The index of the written block at device block {@code phys}, or -1 when these files hold no written block there. */
    long indexAt(long phys) {
        int i = Arrays.binarySearch(physStarts, phys);
        if (i < 0) i = -i - 2;
        if (i < 0) return -1;
        Ext4Extent e = byPhys[i].extent();
        if (phys >= e.physical() + e.length() || e.unwritten()) return -1;
        return byPhys[i].first() + (phys - e.physical());
    }

    /** Every block of these files, written or not. */
    BitSet all() {
        BitSet b = new BitSet(count);
        for (Placed p : byPhys) b.set((int) p.first(), (int) (p.first() + p.extent().length()));
        return b;
    }

    /** Whether any block of these files is also one of {@code other}'s (a damaged host: two files on one block). */
    boolean overlaps(ImageBlocks other) {
        for (Placed p : other.byPhys) {
            long start = p.extent().physical();
            long end = start + p.extent().length();
            int i = Arrays.binarySearch(physStarts, start);
            if (i < 0) i = -i - 2;
            for (int k = Math.max(i, 0); k < byPhys.length && physStarts[k] < end; k++) {
                if (physStarts[k] + byPhys[k].extent().length() > start) return true;
            }
        }
        return false;
    }

    /** The blocks whose index is set in {@code keep}, as physical runs in physical order. */
    List<BlockRun> ranges(BitSet keep) {
        List<BlockRun> out = new ArrayList<>();
        for (Placed p : byPhys) {
            int from = (int) p.first();
            int end = (int) (p.first() + p.extent().length());
            // walk the set bits run by run, not block by block: images are millions of blocks
            for (int i = keep.nextSetBit(from); i >= 0 && i < end; ) {
                int j = Math.min(end, keep.nextClearBit(i));
                long phys = p.extent().physical() + (i - from);
                if (!out.isEmpty() && out.getLast().end() == phys) {
                    out.set(out.size() - 1, new BlockRun(out.getLast().start(), out.getLast().count() + j - i));
                } else {
                    out.add(new BlockRun(phys, j - i));
                }
                i = keep.nextSetBit(j);
            }
        }
        return out;
    }
}
