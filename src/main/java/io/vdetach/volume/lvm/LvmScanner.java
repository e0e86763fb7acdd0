package io.vdetach.volume.lvm;

import io.vdetach.volume.Volume;
import java.io.IOException;
import java.util.List;

/** LVM2: placeholder until the LVM reader lands; leaves the volumes as they are. */
public final class LvmScanner {
    private LvmScanner() {}

    /**
     * Replaces each LVM physical volume in {@code volumes} by the logical volumes of its
     * volume group (a group may span several of them); other volumes pass through.
     */
    public static List<Volume> expand(List<Volume> volumes) throws IOException {
        return volumes;
    }
}
