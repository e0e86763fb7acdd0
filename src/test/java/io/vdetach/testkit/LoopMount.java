package io.vdetach.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A read-only loop mount of {@code [offset, offset + size)} of an image file: the oracle.
 * Closing unmounts and detaches exactly the loop device this object attached, even when
 * the mount failed half-way.
 */
public final class LoopMount implements AutoCloseable {
    private final String device;
    private final Path mountPoint;
    private boolean mounted;

    private LoopMount(String device, Path mountPoint) {
        this.device = device;
        this.mountPoint = mountPoint;
    }

    public static LoopMount readOnly(Path image, long offset, long size, String fsType, String options) throws Exception {
        return open(image, offset, size, fsType, "ro" + (options.isEmpty() ? "" : "," + options), true);
    }

    /** A read-write mount (for populating fixtures and hosts). */
    public static LoopMount readWrite(Path image, long offset, long size, String fsType, String options) throws Exception {
        return open(image, offset, size, fsType, "rw" + (options.isEmpty() ? "" : "," + options), false);
    }

    private static LoopMount open(Path image, long offset, long size, String fsType, String options, boolean ro) throws Exception {
        java.util.List<String> cmd = Sh.list("losetup", "--find", "--show", "--offset", Long.toString(offset));
        if (ro) cmd.add("--read-only");
        if (size > 0) cmd.addAll(java.util.List.of("--sizelimit", Long.toString(size)));
        cmd.add(image.toString());
        String dev = Sh.run(cmd.toArray(String[]::new)).trim();
        Path mp = Files.createTempDirectory("vdetach-mnt");
        LoopMount m = new LoopMount(dev, mp);
        try {
            if ("ntfs-3g".equals(fsType)) {
                Sh.run("ntfs-3g", "-o", options, dev, mp.toString());
            } else {
                Sh.run("mount", "-t", fsType, "-o", options, dev, mp.toString());
            }
            m.mounted = true;
            return m;
        } catch (Throwable t) {
            m.close();
            throw t;
        }
    }

    public Path path() { return mountPoint; }

    public String device() { return device; }

    @Override
    public void close() {
        try {
            if (mounted) {
                Sh.exec(null, "sync");
                Sh.Result r = Sh.exec(null, "umount", mountPoint.toString());
                if (r.exit() != 0) Sh.exec(null, "umount", "-l", mountPoint.toString());
                mounted = false;
            }
        } finally {
            Sh.exec(null, "losetup", "-d", device);
            try { Files.deleteIfExists(mountPoint); } catch (Exception ignored) { }
        }
    }
}
