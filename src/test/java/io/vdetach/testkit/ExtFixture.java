package io.vdetach.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw disks holding ext2/3/4 filesystems made with {@code mke2fs -d} from a directory (usually
 * a {@link FixtureTree}). Disks are sparse host files of a few tens of MiB. Needs root only for
 * the tree (owners, devices); the disks themselves are built with plain tools.
 */
public final class ExtFixture {
    private ExtFixture() {}

    /** One filesystem on a disk: where it lies, and the volume name the scanner gives it. */
    public record Part(String volume, long offset, long size, String fsType) {}

    /** A raw disk and the ext filesystems on it. */
    public record Disk(Path image, List<Part> parts) {
        public Part part(String volume) {
            return parts.stream().filter(p -> p.volume().equals(volume)).findFirst().orElseThrow();
        }
    }

    /** Fixed so that two runs make the same bytes where mke2fs allows it. */
    private static final String UUID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final String HASH_SEED = "5e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b";
    static final long MIB = 1L << 20;

    /**
     * Makes a filesystem image file of {@code size} bytes from {@code tree}.
     *
     * @param type "ext2", "ext3" or "ext4"
     * @param extra more mke2fs arguments ("-b", "1024", "-O", "inline_data" …)
     */
    public static Path mkfs(Path out, long size, Path tree, String type, String label, String... extra) {
        List<String> cmd = Sh.list("mke2fs", "-q", "-F", "-t", type, "-L", label, "-U", UUID,
                "-E", "hash_seed=" + HASH_SEED, "-d", tree.toString());
        cmd.addAll(List.of(extra));
        cmd.add(out.toString());
        cmd.add(Long.toString(size / 1024) + "k");
        Sh.Result r = Sh.exec(null, cmd.toArray(String[]::new));
        if (r.exit() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + "\n" + r.out() + r.err());
        copyTimes(tree, out);
        // mke2fs -d writes linear directories only; e2fsck -D indexes the multi-block ones
        // (hash trees, as a long-lived system has them). Exit 1 means "fixed", here "indexed".
        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fyD", out.toString());
        if (fsck.exit() > 1) throw new AssertionError("e2fsck -fyD exited " + fsck.exit() + "\n" + fsck.out() + fsck.err());
        return out;
    }

    /**
     * mke2fs -d (1.47) keeps whole seconds only and no pre-1970 times: mount the new filesystem
     * and set every entry's mtime and atime again from the tree (directories last), so the
     * images carry nanoseconds and extra epoch bits as a real system writes them.
     */
    public static void copyTimes(Path tree, Path fsImage) {
        try (LoopMount m = LoopMount.readWrite(fsImage, 0, 0, "ext4", "")) {
            List<Path> all = new ArrayList<>();
            try (var s = Files.walk(tree)) {
                s.forEach(all::add);
            }
            // Reverse order of the walk: children before their directory.
            for (int i = all.size() - 1; i >= 0; i--) {
                Path src = all.get(i);
                Path dst = m.path().resolve(tree.relativize(src).toString());
                var t = Files.getLastModifiedTime(src, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant();
                FixtureTree.setTime(dst, t);
            }
        } catch (Exception e) {
            throw new AssertionError("setting times in " + fsImage + ": " + e, e);
        }
    }

    /** Copies a filesystem image into a disk at {@code offset}, keeping the disk sparse. */
    public static void place(Path fsImage, Path disk, long offset) {
        Sh.run("dd", "if=" + fsImage, "of=" + disk, "bs=1M", "oflag=seek_bytes", "seek=" + offset, "conv=notrunc,sparse", "status=none");
    }

    /** GPT with one ext4 partition at 1 MiB (p1). */
    public static Disk gptExt4(Path dir, Path tree) throws IOException {
        Path disk = dir.resolve("gpt-ext4.img");
        long fsSize = 40 * MIB;
        Sh.run("truncate", "-s", "48M", disk.toString());
        Sh.run("sgdisk", "-n", "1:2048:+" + fsSize / 1024 + "K", "-t", "1:8300", "-c", "1:guest-root", disk.toString());
        Path fs = mkfs(dir.resolve("gpt-ext4.fs"), fsSize, tree, "ext4", "gptroot");
        place(fs, disk, MIB);
        Files.delete(fs);
        return new Disk(disk, List.of(new Part("p1", MIB, fsSize, "ext4")));
    }

    /** MBR with an extended partition holding two logical partitions: ext2 (p5) and ext3 (p6). */
    public static Disk mbrLogicalExt2Ext3(Path dir, Path tree) throws IOException {
        Path disk = dir.resolve("mbr-ext23.img");
        long fsSize = 40 * MIB;
        Sh.run("truncate", "-s", "96M", disk.toString());
        Sh.bash("printf 'label: dos\\n2048,,E\\n,40M,83\\n,40M,83\\n' | sfdisk -q " + disk);
        List<long[]> logical = partitionsOf(disk, 5);
        if (logical.size() != 2) throw new AssertionError("sfdisk made " + logical.size() + " logical partitions");
        List<Part> parts = new ArrayList<>();
        String[] types = {"ext2", "ext3"};
        for (int i = 0; i < 2; i++) {
            long off = logical.get(i)[0] * 512, size = logical.get(i)[1] * 512;
            if (size != fsSize) throw new AssertionError("logical partition of " + size + " bytes");
            Path fs = mkfs(dir.resolve("mbr-" + types[i] + ".fs"), fsSize, tree, types[i], "logical-" + types[i]);
            place(fs, disk, off);
            Files.delete(fs);
            parts.add(new Part("p" + (5 + i), off, size, types[i]));
        }
        return new Disk(disk, parts);
    }

    /**
     * MBR with one 64 MiB ext4 partition at sector 63, the layout of disks partitioned before
     * 2008: the filesystem's blocks lie 512-aligned, not 4 KiB-aligned, in the image (p1).
     */
    public static Disk mbrExt4AtSector63(Path dir, Path tree) throws IOException {
        Path disk = dir.resolve("mbr63-ext4.img");
        long fsSize = 64 * MIB, offset = 63 * 512;
        Sh.run("truncate", "-s", "72M", disk.toString());
        Sh.bash("printf 'label: dos\\n63," + fsSize / 512 + ",83\\n' | sfdisk -q " + disk);
        List<long[]> parts = partitionsOf(disk, 1);
        if (parts.size() != 1 || parts.get(0)[0] != 63) throw new AssertionError("sfdisk did not start p1 at sector 63");
        Path fs = mkfs(dir.resolve("mbr63-ext4.fs"), fsSize, tree, "ext4", "sector63");
        place(fs, disk, offset);
        Files.delete(fs);
        return new Disk(disk, List.of(new Part("p1", offset, fsSize, "ext4")));
    }

    /** An unpartitioned disk that is one ext4 filesystem. */
    public static Disk unpartitionedExt4(Path dir, Path tree) {
        Path disk = mkfs(dir.resolve("plain-ext4.img"), 48 * MIB, tree, "ext4", "plain");
        return new Disk(disk, List.of(new Part("disk", 0, 48 * MIB, "ext4")));
    }

    /** Unpartitioned ext4 with 1 KiB blocks. */
    public static Disk ext4Blocks1k(Path dir, Path tree) {
        Path disk = mkfs(dir.resolve("ext4-1k.img"), 64 * MIB, tree, "ext4", "onek", "-b", "1024");
        return new Disk(disk, List.of(new Part("disk", 0, 64 * MIB, "ext4")));
    }

    /** Unpartitioned ext4 with 64-bit block numbers and metadata checksums. */
    public static Disk ext4Csum64(Path dir, Path tree) {
        Path disk = mkfs(dir.resolve("ext4-64csum.img"), 48 * MIB, tree, "ext4", "csum64", "-O", "64bit,metadata_csum");
        return new Disk(disk, List.of(new Part("disk", 0, 48 * MIB, "ext4")));
    }

    /** Unpartitioned ext4 with inline data (small files and directories live in their inodes). */
    public static Disk ext4InlineData(Path dir, Path tree) {
        Path disk = mkfs(dir.resolve("ext4-inline.img"), 48 * MIB, tree, "ext4", "inline", "-O", "inline_data", "-I", "256");
        return new Disk(disk, List.of(new Part("disk", 0, 48 * MIB, "ext4")));
    }

    /** (start sector, sectors) of each partition numbered {@code >= from}, as sfdisk reports them. */
    private static List<long[]> partitionsOf(Path disk, int from) {
        String dump = Sh.run("sfdisk", "-d", disk.toString());
        Pattern p = Pattern.compile("^\\S*?(\\d+) : start=\\s*(\\d+), size=\\s*(\\d+)", Pattern.MULTILINE);
        Matcher m = p.matcher(dump);
        List<long[]> out = new ArrayList<>();
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) >= from) out.add(new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return out;
    }
}
