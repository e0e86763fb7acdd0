package io.vdetach.nio;

import io.vdetach.api.ChainLink;
import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The oracle of a volume: the image expanded to a raw disk by a tool that is not vdetach
 * ({@code qemu-img convert}, {@code ewfexport}, {@code cat} of split raw segments), the volume
 * mounted read-only by the kernel or FUSE (ext4, xfs, vfat; exfat-fuse; ntfs-3g with streams as
 * xattrs; mtools copies a FAT tree out where the kernel has no vfat), walked by {@link HostTree}; and what each mount cannot show alike, left out of both sides.
 */
final class OracleMounts {
    private OracleMounts() {}

    /** A raw disk of the image in {@code dir}; null when no tool here expands its format. */
    static Path expand(Image image, Path dir) {
        Path raw = dir.resolve("oracle.raw");
        String format = image.format();
        switch (format) {
            case "raw" -> {
                return image.path();
            }
            case "qcow2", "vhd", "vhdx", "vmdk", "vdi" -> {
                if (!Sh.has("qemu-img")) return null;
                Sh.Result r = Sh.exec(null, "qemu-img", "convert", "-O", "raw", image.path().toString(), raw.toString());
                return r.exit() == 0 ? raw : null;
            }
            case "ewf" -> {
                if (!Sh.has("ewfexport")) return null;
                Path target = dir.resolve("oracle");
                Sh.Result r = Sh.exec(null, "ewfexport", "-q", "-u", "-f", "raw", "-t", target.toString(), image.path().toString());
                return r.exit() == 0 ? dir.resolve("oracle.raw") : null;
            }
            case "split raw" -> {
                StringBuilder cmd = new StringBuilder("cat");
                for (ChainLink l : image.chain()) cmd.append(" '").append(l.file()).append('\'');
                Sh.bash(cmd + " > '" + raw + "'");
                return raw;
            }
            default -> {
                return null;
            }
        }
    }

    /** The mount type and options for a filesystem type; null when there is no oracle for it here. */
    static String[] mountOf(String fsType) {
        return switch (fsType) {
            case "ext2", "ext3", "ext4" -> new String[] {"ext4", "noload"};
            case "xfs" -> new String[] {"xfs", "norecovery"};
            case "vfat" -> kernelHas("vfat") ? new String[] {"vfat", ""} : Sh.has("mcopy") ? new String[] {"mtools", ""} : null;
            case "exfat" -> Sh.has("mount.exfat-fuse") ? new String[] {"exfat-fuse", ""} : null;
            case "ntfs" -> Sh.has("ntfs-3g") ? new String[] {"ntfs-3g", "streams_interface=xattr"} : null;
            default -> null;
        };
    }

    private static boolean kernelHas(String fs) {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/filesystems")).contains(fs);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The oracle's tree of {@code volume} of the raw disk {@code raw}, normalised as {@link #comparable} says. */
    static TreeMap<String, EntryFacts> walk(Path raw, GuestVolume volume) throws Exception {
        String[] how = mountOf(volume.contentType());
        if (how[0].equals("mtools")) {
            // no vfat in this kernel: mtools copies the tree out (times kept; it makes up modes and owners as a mount does)
            Path out = java.nio.file.Files.createTempDirectory(raw.toAbsolutePath().getParent(), "mcopy");
            try {
                Sh.bash("TZ=UTC mcopy -s -m -n -i '" + raw + "@@" + volume.start() + "' '::*' '" + out + "'");
                return comparable(volume.contentType(), HostTree.walk(out), true);
            } finally {
                Sh.exec(null, "rm", "-rf", out.toString());
            }
        }
        try (LoopMount m = LoopMount.readOnly(raw, volume.start(), volume.size(), how[0], how[1])) {
            TreeMap<String, EntryFacts> t = HostTree.walk(m.path());
            if (volume.contentType().equals("ntfs")) t = HostTree.linksBelowMount(t, m.path().toString());
            return comparable(volume.contentType(), t, true);
        }
    }

    /**
     * What a mount shows as the filesystem keeps it: vfat and exfat mounts make up modes and owners
     * and keep no xattrs (exfat-fuse drops the 10 ms of its times); ntfs-3g shows every named stream
     * as an xattr, vdetach those up to 64 KiB (larger ones are {@code file:stream}); a root directory's
     * own metadata is the mount point's.
     */
    static TreeMap<String, EntryFacts> comparable(String fsType, Map<String, EntryFacts> tree, boolean oracle) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        tree.forEach((k, f) -> {
            if (k.equals(".")) return;
            EntryFacts e = f;
            if (fsType.equals("vfat") || fsType.equals("exfat")) e = e.without(true, true, false, true);
            if (fsType.equals("exfat")) {
                e = new EntryFacts(e.type(), e.size(), e.sha256(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), 0, e.linkTarget(),
                        e.rdev(), e.xattrs(), e.linkGroup());
            }
            if (fsType.equals("ntfs") && oracle) {
                TreeMap<String, String> x = new TreeMap<>(e.xattrs());
                x.values().removeIf(hex -> hex.length() > 2 * 65536);
                e = new EntryFacts(e.type(), e.size(), e.sha256(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), e.mtimeNanos(),
                        e.linkTarget(), e.rdev(), x, e.linkGroup());
            }
            if (fsType.equals("ntfs") && !oracle) {
                // vdetach's own names for creation time and attributes (ntfs-3g's are system.ntfs_*, not listed)
                TreeMap<String, String> x = new TreeMap<>(e.xattrs());
                x.remove("user.ntfs.crtime");
                x.remove("user.ntfs.attrib");
                e = new EntryFacts(e.type(), e.size(), e.sha256(), e.mode(), e.uid(), e.gid(), e.mtimeSeconds(), e.mtimeNanos(),
                        e.linkTarget(), e.rdev(), x, e.linkGroup());
            }
            out.put(k, e);
        });
        return out;
    }


    static void assertSame(TreeMap<String, EntryFacts> oracle, String fsType, Map<String, EntryFacts> provider) {
        TreeAssert.assertSameTree(oracle, comparable(fsType, provider, false));
    }

    static List<String> mountable(Image image) {
        return image.volumes().stream().filter(GuestVolume::readable).filter(v -> mountOf(v.contentType()) != null)
                .map(GuestVolume::name).toList();
    }
}
