package io.vdetach.guestfs.ntfs;

import java.nio.file.Path;

/** Lets tests of other packages build the NTFS feature fixture (the fixture itself stays package-private). */
public final class NtfsFixtureAccess {
    private NtfsFixtureAccess() {}

    /**
     * A GPT disk with one NTFS partition (4 KiB clusters) holding {@link NtfsFixture#FEATURES}: named
     * streams (two small ones as xattrs, {@code small:bigstream} of 100,000 bytes, whose content is
     * left in {@code dir/bigstream.bin}), hard links, symlinks and reparse points, compressed and
     * sparse files, devices, a fifo. Returns the disk image.
     */
    public static Path featuresDisk(Path dir) throws Exception {
        return NtfsFixture.build(dir, NtfsFixture.Layout.GPT, 4096, 96L << 20, NtfsFixture.FEATURES).image();
    }
}
