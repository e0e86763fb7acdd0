package io.vdetach.volume.gpt;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Window;
import io.vdetach.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * A GUID partition table: the primary header at LBA 1 and, when it or its entry array is
 * damaged, the backup header at the disk's last LBA. Both logical sector sizes are tried.
 */
public final class GptTable {
    private GptTable() {}

    /** The volumes of the GPT, or null when the disk has no GPT header at all. */
    public static List<Volume> read(Layer disk) throws IOException {
        List<String> problems = new ArrayList<>();
        boolean sawSignature = false;
        for (int sector : new int[] {512, 4096}) {
            long lastLba = disk.size() / sector - 1;
            if (lastLba < 2) continue;
            for (long lba : new long[] {1, lastLba}) {
                ByteBuffer s = disk.readBytes(lba * sector, sector);
                if (s.getLong(0) == GptHeader.SIGNATURE) sawSignature = true;
                Object parsed = GptHeader.parse(s);
                if (parsed instanceof String reason) {
                    if (s.getLong(0) == GptHeader.SIGNATURE) problems.add("header at offset " + lba * sector + ": " + reason);
                    continue;
                }
                GptHeader h = (GptHeader) parsed;
                String bad = check(h, lba, lastLba);
                if (bad != null) {
                    problems.add("header at offset " + lba * sector + ": " + bad);
                    continue;
                }
                ByteBuffer entries = disk.readBytes(h.entriesLba() * sector, h.entryCount() * h.entrySize());
                CRC32 crc = new CRC32();
                crc.update(entries.duplicate());
                if ((int) crc.getValue() != h.entriesCrc()) {
                    problems.add("entry array at offset " + h.entriesLba() * sector + ": CRC-32 mismatch");
                    continue;
                }
                return volumes(disk, h, entries, sector, lastLba);
            }
        }
        if (!sawSignature) return null;
        throw new CorruptImageException("gpt", "GPT headers", 512, "no valid header: " + String.join("; ", problems));
    }

    private static String check(GptHeader h, long lba, long lastLba) {
        if (h.myLba() != lba) return "MyLBA " + h.myLba() + " is not where the header lies (" + lba + ")";
        if (h.entriesLba() < 2 || h.entriesLba() > lastLba) return "entry array LBA " + h.entriesLba() + " outside the disk";
        if (h.firstUsableLba() > h.lastUsableLba() || h.lastUsableLba() > lastLba) return "usable LBA range out of the disk";
        return null;
    }

    private static List<Volume> volumes(Layer disk, GptHeader h, ByteBuffer entries, int sector, long lastLba) {
        List<Volume> out = new ArrayList<>();
        for (int i = 0; i < h.entryCount(); i++) {
            GptEntry e = GptEntry.parse(entries, i * h.entrySize());
            if (e.isUnused()) continue;
            long at = h.entriesLba() * sector + (long) i * h.entrySize();
            if (e.firstLba() < 0 || e.lastLba() < e.firstLba() || e.lastLba() > lastLba) {
                throw new CorruptImageException("gpt", "partition entry " + (i + 1), at,
                        "LBA range " + e.firstLba() + ".." + e.lastLba() + " is outside the disk");
            }
            String name = "p" + (i + 1);
            long start = e.firstLba() * sector;
            long size = (e.lastLba() - e.firstLba() + 1) * sector;
            out.add(new Volume(name, "gpt", start, size, GptTypes.name(e.type()), e.name(),
                    new Window(disk, start, size, name)));
        }
        return out;
    }
}
