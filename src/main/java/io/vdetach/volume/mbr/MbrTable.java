package io.vdetach.volume.mbr;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Window;
import io.vdetach.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The master boot record's partition table, with extended partitions' chains of EBRs.
 * Primary entries are p1..p4 and logical ones p5 onward, as Linux numbers them.
 */
public final class MbrTable {
    static final int SECTOR = 512;
    /** An EBR chain longer than this is a loop or garbage; Linux stops far earlier in practice. */
    static final int MAX_LOGICAL = 256;

    private final List<MbrEntry> primaries;

    private MbrTable(List<MbrEntry> primaries) {
        this.primaries = primaries;
    }

    /** The table in sector 0, or null when sector 0 holds no plausible MBR. */
    public static MbrTable read(Layer disk) throws IOException {
        if (disk.size() < SECTOR) return null;
        ByteBuffer s = disk.readBytes(0, SECTOR);
        if ((s.getShort(510) & 0xffff) != 0xaa55) return null;
        if (BootSectorSignature.isFilesystemBootSector(s)) return null;
        List<MbrEntry> entries = new ArrayList<>(4);
        for (int i = 0; i < 4; i++) {
            MbrEntry e = MbrEntry.parse(s, 446 + 16 * i);
            if (e.status() != 0 && e.status() != 0x80) return null; // not a partition table
            entries.add(e);
        }
        return new MbrTable(entries);
    }

    /** A protective MBR (type 0xEE) means the disk is GPT. */
    public boolean isProtective() {
        return primaries.stream().anyMatch(e -> e.type() == 0xee);
    }

    public List<Volume> volumes(Layer disk) throws IOException {
        List<Volume> out = new ArrayList<>();
        long diskSectors = disk.size() / SECTOR;
        int logicalNumber = 5;
        for (int i = 0; i < 4; i++) {
            MbrEntry e = primaries.get(i);
            if (e.isEmpty()) continue;
            checkInside(e, 0, diskSectors, 446 + 16 * i);
            if (e.isExtended()) {
                for (Volume v : logicals(disk, e, diskSectors, logicalNumber)) {
                    out.add(v);
                    logicalNumber++;
                }
            } else {
                out.add(volume(disk, "p" + (i + 1), e, e.firstLba()));
            }
        }
        return out;
    }

    private static List<Volume> logicals(Layer disk, MbrEntry extended, long diskSectors, int firstNumber)
            throws IOException {
        List<Volume> out = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        long base = extended.firstLba();
        long ebr = base;
        while (true) {
            long at = ebr * SECTOR;
            if (!seen.add(ebr)) throw new CorruptImageException("mbr", "extended boot record chain", at, "loops back to an earlier EBR");
            if (seen.size() > MAX_LOGICAL) throw new CorruptImageException("mbr", "extended boot record chain", at, "more than " + MAX_LOGICAL + " logical partitions");
            if (ebr >= diskSectors) throw new CorruptImageException("mbr", "extended boot record", at, "lies past the end of the disk");
            ByteBuffer s = disk.readBytes(at, SECTOR);
            if ((s.getShort(510) & 0xffff) != 0xaa55) throw new CorruptImageException("mbr", "extended boot record", at, "no 0x55AA signature");
            MbrEntry logical = MbrEntry.parse(s, 446);
            MbrEntry next = MbrEntry.parse(s, 462);
            if (!logical.isEmpty()) {
                long first = ebr + logical.firstLba();
                checkInside(new MbrEntry(logical.status(), logical.type(), first, logical.sectors()), 0, diskSectors, at + 446);
                out.add(volume(disk, "p" + (firstNumber + out.size()), logical, first));
            }
            if (next.isEmpty()) break;
            ebr = base + next.firstLba(); // the link is relative to the extended partition's start
        }
        return out;
    }

    private static void checkInside(MbrEntry e, long first, long diskSectors, long at) {
        if (e.firstLba() < first || e.firstLba() + e.sectors() > diskSectors) {
            throw new CorruptImageException("mbr", "partition entry", at, "sectors " + e.firstLba() + "+" + e.sectors()
                    + " pass the end of the disk (" + diskSectors + " sectors)");
        }
    }

    private static Volume volume(Layer disk, String name, MbrEntry e, long firstLba) {
        long start = firstLba * SECTOR;
        long size = e.sectors() * SECTOR;
        return new Volume(name, "mbr", start, size, MbrTypes.name(e.type()), "", new Window(disk, start, size, name));
    }
}
