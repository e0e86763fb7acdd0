package io.vdetach.guestfs.ntfs;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.testkit.Sh;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * NTFS fixtures made by the real tools: mkntfs formats a partition-sized file, ntfs-3g
 * populates it (streams_interface=xattr, compression), and the result is written into a raw
 * disk at the partition's offset (GPT, MBR or none).
 */
final class NtfsFixture {
    private NtfsFixture() {}

    enum Layout { BARE, MBR, GPT }

    /** A disk image and where its NTFS partition lies. */
    record Disk(Path image, long offset, long size) {
        /** The NTFS volume as the volume scanner finds it. */
        Layer volume(HostFile f) throws Exception {
            List<Volume> v = VolumeScanner.scan(f);
            for (Volume x : v) if (x.start() == offset) return x.layer();
            throw new AssertionError("no volume at " + offset + " in " + v);
        }
    }

    /** The feature script run inside the ntfs-3g mount (cwd = the mount). */
    static final String FEATURES = """
            set -eu
            printf hello > small
            head -c 1000 /dev/zero | tr '\\0' 'a' > thousand
            head -c 300000 /dev/urandom > random
            mkdir -p c d deep/a/b/c
            setfattr -n system.ntfs_attrib_be -v 0x00000800 c
            yes 'compressible line of text 0123456789' | head -c 300000 > c/text
            head -c 200000 /dev/urandom > c/random
            truncate -s 1M c/sparse; printf middle | dd of=c/sparse bs=1 seek=500000 conv=notrunc status=none
            yes abc | head -c 5000 > c/small
            truncate -s 10M sparse; printf x | dd of=sparse bs=1 seek=5000000 conv=notrunc status=none
            printf tail | dd of=sparse bs=1 seek=10485756 conv=notrunc status=none
            truncate -s 0 empty
            setfattr -n user.s1 -v hi small
            setfattr -n user.stream2 -v 0x$(head -c 2000 /dev/urandom | od -An -tx1 | tr -d ' \\n') small
            setfattr -n user.dirstream -v value d
            ln small hardlink; ln small d/hardlink2
            ln -s small rel; ln -s /etc/passwd abs; ln -s ../small d/up; ln -s nowhere dangling
            mkfifo fifo; mknod chardev c 1 3; mknod blockdev b 8 1
            printf 'é' > 'héllo wörld'; printf j > '日本語.txt'; printf e > '😀.txt'; printf s > 'MiXeD CaSe'
            mkdir big; (cd big && seq 1 3000 | sed 's/^/file-with-a-longer-name-/' | xargs touch)
            echo content > big/file-with-a-longer-name-17
            mkdir links; printf linked > links/target
            for i in $(seq 1 120); do ln links/target "links/hard-link-number-$i-with-a-long-name-to-fill-the-mft-record-quickly"; done
            for i in $(seq 1 400); do head -c 2048 /dev/urandom >> frag; head -c 2048 /dev/urandom > "filler$((i % 7))"; done
            rm -f filler*
            printf deep > deep/a/b/c/file
            touch rs as an wof
            mkdir jn jdir
            touch -d '2021-01-01 13:37:00.123456789' small
            """;

    /**
     * {@code cycles} rounds of {@code perCycle} new files then one 4 KiB data file, after a large
     * file has filled the MFT zone: each growth of the MFT lands after the last data file, so
     * $MFT ends up in hundreds of fragments, more than its own record holds (an attribute list).
     */
    static String fragmentedMft(int cycles, int perCycle) {
        return "set -eu\nhead -c 40M /dev/zero > fill\nmkdir many\nfor c in $(seq 1 " + cycles + "); do"
                + " (cd many && seq $((c*" + perCycle + ")) $((c*" + perCycle + "+" + (perCycle - 1) + ")) | sed 's/^/f/' | xargs touch);"
                + " head -c 4096 /dev/urandom > many/d$c; done\n";
    }

    static Disk build(Path dir, Layout layout, int cluster, long ntfsBytes, String... scripts) throws Exception {
        Path part = dir.resolve("part.img");
        Sh.run("truncate", "-s", Long.toString(ntfsBytes), part.toString());
        Sh.run("mkntfs", "-F", "-Q", "-q", "-c", Integer.toString(cluster), "-L", "fixture", part.toString());
        Path mnt = Files.createTempDirectory("vdetach-ntfs-rw");
        try {
            Sh.run("ntfs-3g", "-o", "streams_interface=xattr,compression", part.toString(), mnt.toString());
            try {
                for (String script : scripts) {
                    Sh.Result r = Sh.exec(mnt, "bash", "-c", script);
                    if (r.exit() != 0) throw new AssertionError("fixture script failed: " + r.err());
                }
                if (List.of(scripts).contains(FEATURES)) reparsePoints(mnt);
            } finally {
                Sh.run("umount", mnt.toString());
            }
            if (List.of(scripts).contains(FEATURES)) {
                // A stream above 64 KiB cannot be written as an xattr: write it through the windows interface.
                Sh.run("ntfs-3g", "-o", "streams_interface=windows", part.toString(), mnt.toString());
                try {
                    Path big = dir.resolve("bigstream.bin");
                    Sh.run("bash", "-c", "head -c 100000 /dev/urandom > " + big + " && cp " + big + " " + mnt.resolve("small:bigstream"));
                } finally {
                    Sh.run("umount", mnt.toString());
                }
            }
        } finally {
            Files.deleteIfExists(mnt);
        }
        if (layout == Layout.BARE) return new Disk(part, 0, ntfsBytes);
        long offset = 1 << 20;
        Path disk = dir.resolve("disk.img");
        Sh.run("truncate", "-s", Long.toString(ntfsBytes + (2L << 20)), disk.toString());
        long sectors = ntfsBytes / 512;
        if (layout == Layout.MBR) {
            Sh.bash("printf 'label: dos\\n2048,%d,7\\n' " + sectors + " | sfdisk -q " + disk);
        } else {
            Sh.run("sgdisk", "-n", "1:2048:+" + sectors, "-t", "1:0700", disk.toString());
        }
        Sh.run("dd", "if=" + part, "of=" + disk, "bs=1M", "seek=1", "conv=notrunc,sparse", "status=none");
        Files.delete(part);
        return new Disk(disk, offset, ntfsBytes);
    }

    /** Symbolic links and junctions stored as reparse points (what Windows makes), set through ntfs-3g. */
    private static void reparsePoints(Path mnt) {
        setReparse(mnt.resolve("rs"), ReparsePoint.TAG_SYMLINK, "d\\up", true);
        setReparse(mnt.resolve("as"), ReparsePoint.TAG_SYMLINK, "\\??\\C:\\DEEP\\a\\B", false);
        setReparse(mnt.resolve("an"), ReparsePoint.TAG_SYMLINK, "\\??\\C:\\Windows\\System32", false);
        setReparse(mnt.resolve("jn"), ReparsePoint.TAG_MOUNT_POINT, "\\??\\C:\\Users", false);
        setReparse(mnt.resolve("jdir"), ReparsePoint.TAG_MOUNT_POINT, "\\??\\D:\\deep", false);
        // WOF (CompactOS) XPRESS4K reparse data: WOF_EXTERNAL_INFO {1, provider 2} + FILE_PROVIDER_EXTERNAL_INFO_V1 {1, 0}.
        ByteBuffer wof = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        wof.putInt(ReparsePoint.TAG_WOF).putShort((short) 16).putShort((short) 0).putInt(1).putInt(2).putInt(1).putInt(0);
        Sh.run("setfattr", "-n", "system.ntfs_reparse_data", "-v", "0x" + HexFormat.of().formatHex(wof.array()), mnt.resolve("wof").toString());
    }

    static void setReparse(Path file, int tag, String target, boolean relative) {
        byte[] sub = target.getBytes(StandardCharsets.UTF_16LE);
        boolean symlink = tag == ReparsePoint.TAG_SYMLINK;
        int body = (symlink ? 12 : 8) + 2 * sub.length + (symlink ? 0 : 4);
        ByteBuffer b = ByteBuffer.allocate(8 + body).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(tag).putShort((short) body).putShort((short) 0);
        if (symlink) {
            b.putShort((short) 0).putShort((short) sub.length).putShort((short) sub.length).putShort((short) sub.length);
            b.putInt(relative ? 1 : 0).put(sub).put(sub);
        } else {
            b.putShort((short) 0).putShort((short) sub.length).putShort((short) (sub.length + 2)).putShort((short) sub.length);
            b.put(sub).putShort((short) 0).put(sub).putShort((short) 0);
        }
        Sh.run("setfattr", "-n", "system.ntfs_reparse_data", "-v", "0x" + HexFormat.of().formatHex(b.array()), file.toString());
    }
}
