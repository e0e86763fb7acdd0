package io.vdetach.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * libvshadow's {@code vshadowmount} (Debian libvshadow-utils) of a raw NTFS volume: each VSS
 * store as a file {@code vss1}, {@code vss2} … of the volume as at that shadow copy. The oracle
 * for the VSS reader. Closing unmounts exactly this FUSE mount.
 */
public final class VshadowMount implements AutoCloseable {
    private final Path mountPoint;
    private boolean mounted;

    private VshadowMount(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    public static VshadowMount of(Path rawVolume) throws Exception {
        Need.tools("vshadowmount", "fusermount");
        Path mp = Files.createTempDirectory("vdetach-vshadow");
        VshadowMount m = new VshadowMount(mp);
        try {
            Sh.run("vshadowmount", rawVolume.toString(), mp.toString());
            m.mounted = true;
            return m;
        } catch (Throwable t) {
            m.close();
            throw t;
        }
    }

    /** The file of store {@code n} (1 = oldest). */
    public Path store(int n) { return mountPoint.resolve("vss" + n); }

    @Override
    public void close() {
        if (mounted) {
            Sh.Result r = Sh.exec(null, "fusermount", "-u", mountPoint.toString());
            if (r.exit() != 0) Sh.exec(null, "fusermount", "-u", "-z", mountPoint.toString());
            mounted = false;
        }
        try { Files.deleteIfExists(mountPoint); } catch (Exception ignored) { }
    }
}
