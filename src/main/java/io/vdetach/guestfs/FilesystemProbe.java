package io.vdetach.guestfs;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.exfat.ExfatFilesystem;
import io.vdetach.guestfs.ext.ExtFilesystem;
import io.vdetach.guestfs.fat.FatFilesystem;
import io.vdetach.guestfs.ntfs.NtfsFilesystem;
import io.vdetach.guestfs.xfs.XfsFilesystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Tells what a volume holds from its magic numbers, and opens it when it is readable. */
public final class FilesystemProbe {
    private FilesystemProbe() {}

    /**
     * Bytes read to recognise every known signature: Btrfs keeps its superblock at 64 KiB, ZFS
     * the uberblock ring of its first vdev label in [128 KiB, 256 KiB).
     */
    private static final int PROBE_BYTES = 0x40000;
    /** ZFS uberblock magic ("oo-ba-bloc"), stored in the writer's byte order. */
    private static final long ZFS_UBERBLOCK_MAGIC = 0x00bab10cL;

    public static Probed probe(Layer volume) throws IOException {
        return probe(volume, MountOptions.DEFAULT);
    }

    public static Probed probe(Layer volume, MountOptions options) throws IOException {
        // LVs vdetach cannot map (thin, snapshot, missing PV) come with a zero-size layer; their
        // volume type says why
        if (volume.size() == 0) return new Probed.NotExtracted("no data", "the volume maps no bytes (its type says why)");
        int n = (int) Math.min(volume.size(), PROBE_BYTES);
        ByteBuffer b = volume.readBytes(0, n);
        if (n >= 1024 + 58 && (b.getShort(1024 + 56) & 0xffff) == 0xef53) {
            return new Probed.Readable(ExtFilesystem.open(volume));
        }
        if (ascii(b, 3, 8).equals("NTFS    ")) return new Probed.Readable(NtfsFilesystem.open(volume, options.systemFiles()));
        if (ascii(b, 3, 8).equals("EXFAT   ")) return new Probed.Readable(ExfatFilesystem.open(volume));
        if (ascii(b, 0, 4).equals("XFSB")) return new Probed.Readable(XfsFilesystem.open(volume));
        if (ascii(b, 3, 8).equals("-FVE-FS-")) return new Probed.NotExtracted("BitLocker", "encrypted volume: decrypt it first");
        if (ascii(b, 0, 6).equals("LUKS\u00ba\u00be")) return new Probed.NotExtracted("LUKS", "encrypted volume: open it with cryptsetup first");
        if (ascii(b, 4086, 10).equals("SWAPSPACE2") || ascii(b, 4086, 10).equals("SWAP-SPACE")) {
            return new Probed.NotExtracted("Linux swap", "swap space holds no files");
        }
        if (ascii(b, 0x10040, 8).equals("_BHRfS_M")) return new Probed.NotExtracted("Btrfs", "Btrfs is not read yet");
        if (looksLikeZfs(b)) return new Probed.NotExtracted("ZFS", "ZFS pool member: import the pool with OpenZFS");
        if (ascii(b, 32, 4).equals("NXSB")) return new Probed.NotExtracted("APFS", "APFS is not read yet");
        if (ascii(b, 1024, 2).equals("H+") || ascii(b, 1024, 2).equals("HX")) return new Probed.NotExtracted("HFS+", "HFS+ is not read yet");
        if (looksLikeFat(b)) return new Probed.Readable(FatFilesystem.open(volume, options.fatZone()));
        if (allZero(b)) return new Probed.NotExtracted("empty", "all zeros: no filesystem");
        return new Probed.NotExtracted("unknown", "no filesystem signature vdetach knows");
    }

    private static boolean looksLikeFat(ByteBuffer b) {
        if (b.limit() < 512 || (b.getShort(510) & 0xffff) != 0xaa55) return false;
        int bytesPerSector = b.getShort(11) & 0xffff;
        int sectorsPerCluster = b.get(13) & 0xff;
        boolean bpbOk = Integer.bitCount(bytesPerSector) == 1 && bytesPerSector >= 512 && bytesPerSector <= 4096
                && Integer.bitCount(sectorsPerCluster) == 1 && (b.getShort(14) & 0xffff) > 0 && (b.get(16) & 0xff) > 0
                && ((b.get(21) & 0xff) == 0xf0 || (b.get(21) & 0xff) >= 0xf8); // fatgen103 BPB_Media: 0xF0 or 0xF8..0xFF
        return bpbOk && (ascii(b, 0x36, 3).equals("FAT") || ascii(b, 0x52, 3).equals("FAT") || (b.get(0) & 0xff) == 0xeb || (b.get(0) & 0xff) == 0xe9);
    }

    /** Vdev label 0: its uberblock ring (slots of 1 KiB or more) starts at 128 KiB. */
    private static boolean looksLikeZfs(ByteBuffer b) {
        for (int at = 0x20000; at + 8 <= b.limit() && at < 0x40000; at += 1024) {
            long le = b.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(at);
            long be = Long.reverseBytes(le);
            if (le == ZFS_UBERBLOCK_MAGIC || be == ZFS_UBERBLOCK_MAGIC) return true;
        }
        return false;
    }

    private static boolean allZero(ByteBuffer b) {
        for (int i = 0; i < b.limit(); i++) if (b.get(i) != 0) return false;
        return true;
    }

    private static String ascii(ByteBuffer b, int at, int len) {
        if (b.limit() < at + len) return "";
        byte[] x = new byte[len];
        b.get(at, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }
}
