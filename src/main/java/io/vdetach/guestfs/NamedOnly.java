package io.vdetach.guestfs;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.nio.ByteBuffer;
import java.util.function.Predicate;

/**
 * Volume contents vdetach names but does not read: {@code ls} shows {@code what} and {@code why},
 * {@code extract} skips them.
 */
public record NamedOnly(String name, String why, Predicate<ByteBuffer> signature) implements FilesystemFormat {
    public static final NamedOnly BITLOCKER = new NamedOnly("BitLocker", "encrypted volume: decrypt it first",
            b -> FilesystemFormat.has(b, 3, "-FVE-FS-"));
    public static final NamedOnly LUKS = new NamedOnly("LUKS", "encrypted volume: open it with cryptsetup first",
            b -> FilesystemFormat.has(b, 0, "LUKS\u00ba\u00be"));
    public static final NamedOnly SWAP = new NamedOnly("Linux swap", "swap space holds no files",
            b -> FilesystemFormat.has(b, 4086, "SWAPSPACE2") || FilesystemFormat.has(b, 4086, "SWAP-SPACE"));
    /** Btrfs keeps its superblock at 64 KiB. */
    public static final NamedOnly BTRFS = new NamedOnly("Btrfs", "Btrfs is not read yet",
            b -> FilesystemFormat.has(b, 0x10040, "_BHRfS_M"));
    public static final NamedOnly ZFS = new NamedOnly("ZFS", "ZFS pool member: import the pool with OpenZFS",
            NamedOnly::zfsUberblock);
    public static final NamedOnly APFS = new NamedOnly("APFS", "APFS is not read yet", b -> FilesystemFormat.has(b, 32, "NXSB"));
    public static final NamedOnly HFS_PLUS = new NamedOnly("HFS+", "HFS+ is not read yet",
            b -> FilesystemFormat.has(b, 1024, "H+") || FilesystemFormat.has(b, 1024, "HX"));

    /** ZFS uberblock magic ("oo-ba-bloc"), stored in the writer's byte order. */
    private static final long ZFS_UBERBLOCK_MAGIC = 0x00bab10cL;

    @Override public boolean probe(ByteBuffer head) { return signature.test(head); }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) {
        return new Probed.NotExtracted(name, why);
    }

    /** Vdev label 0: its uberblock ring (slots of 1 KiB or more) fills [128 KiB, 256 KiB). */
    private static boolean zfsUberblock(ByteBuffer head) {
        for (int at = 0x20000; at + 8 <= head.limit() && at < 0x40000; at += 1024) {
            long v = head.getLong(at);
            if (v == ZFS_UBERBLOCK_MAGIC || Long.reverseBytes(v) == ZFS_UBERBLOCK_MAGIC) return true;
        }
        return false;
    }
}
