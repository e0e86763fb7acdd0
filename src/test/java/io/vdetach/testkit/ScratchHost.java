package io.vdetach.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host filesystem for extraction tests: a sparse file formatted with mkfs (XFS with reflink,
 * Btrfs, ext4) and loop-mounted read-write. Closing unmounts and detaches its own loop device.
 */
public final class ScratchHost implements AutoCloseable {
    private final Path backing;
    private final LoopMount mount;

    private ScratchHost(Path backing, LoopMount mount) {
        this.backing = backing;
        this.mount = mount;
    }

    /** @param fsType "xfs", "btrfs" or "ext4" */
    public static ScratchHost create(Path dir, String fsType, long size) throws Exception {
        Need.root();
        Path backing = dir.resolve("host-" + fsType + ".img");
        Sh.run("truncate", "-s", Long.toString(size), backing.toString());
        switch (fsType) {
            case "xfs" -> {
                Need.tools("mkfs.xfs");
                Sh.run("mkfs.xfs", "-q", "-f", "-m", "reflink=1", backing.toString());
            }
            case "btrfs" -> {
                Need.tools("mkfs.btrfs");
                Sh.run("mkfs.btrfs", "-q", "-f", backing.toString());
            }
            case "ext4" -> Sh.run("mkfs.ext4", "-q", "-F", backing.toString());
            default -> throw new IllegalArgumentException(fsType);
        }
        LoopMount m = LoopMount.readWrite(backing, 0, 0, fsType, "");
        return new ScratchHost(backing, m);
    }

    public Path root() { return mount.path(); }

    public Path resolve(String name) { return mount.path().resolve(name); }

    @Override
    public void close() throws Exception {
        mount.close();
        Files.deleteIfExists(backing);
    }
}
