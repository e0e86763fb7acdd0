package io.vdetach.volume;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Window;
import io.vdetach.volume.gpt.GptTable;
import io.vdetach.volume.lvm.LvmScanner;
import io.vdetach.volume.mbr.MbrTable;
import java.io.IOException;
import java.util.List;

/** Finds the volumes of a disk: GPT, MBR, or the whole disk, then LVM inside any of them. */
public final class VolumeScanner {
    private VolumeScanner() {}

    public static List<Volume> scan(Layer disk) throws IOException {
        return LvmScanner.expand(partitions(disk));
    }

    private static List<Volume> partitions(Layer disk) throws IOException {
        MbrTable mbr = MbrTable.read(disk);
        if (mbr != null && mbr.isProtective()) {
            List<Volume> gpt = GptTable.read(disk);
            if (gpt != null) return gpt;
            // A truncated or overwritten GPT disk, not an empty one: reading it as unpartitioned would
            // "succeed" with nothing in it.
            throw new CorruptImageException("gpt", "GPT header", 512,
                    "the protective MBR (partition type 0xEE) announces a GPT, but no GPT header is at LBA 1 or at the disk's"
                    + " last LBA (the disk holds " + disk.size() + " bytes: truncated or overwritten?)");
        }
        if (mbr == null) {
            // No MBR: a GPT disk whose protective MBR was wiped is still a GPT disk.
            List<Volume> gpt = GptTable.read(disk);
            if (gpt != null) return gpt;
        }
        if (mbr != null && !mbr.isProtective()) return mbr.volumes(disk);
        return List.of(new Volume("disk", "none", 0, disk.size(), "unpartitioned", "",
                new Window(disk, 0, disk.size(), "disk")));
    }
}
