package io.vdetach.apply.offline;

import io.vdetach.guestfs.ntfs.NtfsFilesystem;
import io.vdetach.image.OpenOptions;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offline detach of every container qemu-img writes, holding a GPT + ext4 guest and an MBR + NTFS
 * guest, lying in a loop-backed ext4 host: e2fsck -fn judges the host's metadata, the guest
 * mounted read-only (kernel, ntfs-3g) judges the extracted tree, the device's SHA-256 judges the
 * undo. Blocks written to the device must stay within 1% of the data bytes where the container
 * stores data 4 KiB-aligned (qcow2, VHDX, VMDK); VHD and VDI are measured and printed.
 */
class OfflineFormatsTest {
    private static final long MIB = 1L << 20;

    /** guest, label, qemu-img output format, its -o options, file name, whether the 1% bound holds. */
    static Stream<Arguments> containers() {
        List<Arguments> out = new ArrayList<>();
        for (String guest : List.of("ext4", "ntfs")) {
            out.add(Arguments.of(guest, "qcow2 64k", "qcow2", "cluster_size=65536", "disk.qcow2", true));
            out.add(Arguments.of(guest, "qcow2 2M", "qcow2", "cluster_size=2097152", "disk.qcow2", true));
            out.add(Arguments.of(guest, "qcow2 64k extended_l2", "qcow2", "cluster_size=65536,extended_l2=on", "disk.qcow2", true));
            out.add(Arguments.of(guest, "vhdx dynamic", "vhdx", "subformat=dynamic", "disk.vhdx", true));
            out.add(Arguments.of(guest, "vhd dynamic", "vpc", "subformat=dynamic", "disk.vhd", false));
            out.add(Arguments.of(guest, "vmdk monolithicSparse", "vmdk", "subformat=monolithicSparse", "disk.vmdk", true));
            out.add(Arguments.of(guest, "vmdk twoGbMaxExtentSparse", "vmdk", "subformat=twoGbMaxExtentSparse", "disk.vmdk", true));
            out.add(Arguments.of(guest, "vdi dynamic", "vdi", "static=off", "disk.vdi", false));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} guest in {1}")
    @MethodSource("containers")
    void detachesTheGuestOutOfEveryContainer(String guestName, String label, String fmt, String opts, String file, boolean aligned,
                                             @TempDir Path dir) throws Exception {
        needTools(guestName);
        FormatGuest guest = guestName.equals("ntfs") ? FormatGuest.ntfs() : FormatGuest.ext4();
        Path vm = Files.createDirectories(dir.resolve("hsrc/vm"));
        Sh.run("qemu-img", "convert", "-O", fmt, "-o", opts, guest.raw().toString(), vm.resolve(file).toString());
        Path dev = host(dir, 0);
        OfflineReport r = detachAndCheck(dev, dir, "/vm/" + file, guest, OpenOptions.DEFAULT, OfflineOptions.withUndo(dir.resolve("undo")));
        assertThat(r.imageFilesRemoved()).as("every file of the image").hasSize(label.contains("twoGb") ? 2 : 1);
        assertThat(r.backingFilesKept()).isEmpty();
        print(guestName + " " + label, r);
        if (aligned) {
            assertThat(r.bytesDonated()).isPositive();
            assertWithinOnePercent(r);
        }
        if (fmt.equals("vpc")) assertThat(r.bytesCopiedByReason()).containsKey(CopyReason.UNALIGNED);
    }

    /**
     * A qcow2 whose unchanged clusters are in a backing file beside it: the backing file stays and
     * its runs are copied, or goes with {@code --detach-backing}; a backing file on another
     * filesystem (an absolute name, followed with --allow-outside-parents) is always copied from.
     */
    @ParameterizedTest(name = "backing file {0}")
    @ValueSource(strings = {"kept", "detached", "elsewhere"})
    void qcow2WithABackingFile(String mode, @TempDir Path dir) throws Exception {
        needTools("ext4");
        FormatGuest base = FormatGuest.ext4();
        FormatGuest changed = FormatGuest.ext4Changed();
        Path vm = Files.createDirectories(dir.resolve("hsrc/vm"));
        Path baseDir = mode.equals("elsewhere") ? Files.createDirectories(dir.resolve("elsewhere")) : vm;
        String backingName = mode.equals("elsewhere") ? baseDir.resolve("base.qcow2").toString() : "base.qcow2";
        backingChain(dir, vm, baseDir, backingName);
        String baseSha = HostFixture.sha256(baseDir.resolve("base.qcow2"));
        long topBytes = Files.size(vm.resolve("top.qcow2"));
        Path dev = host(dir, 0);

        OpenOptions open = new OpenOptions(null, mode.equals("elsewhere"));
        OfflineOptions opt = OfflineOptions.withUndo(dir.resolve("undo")).withDetachBacking(mode.equals("detached"));
        OfflineReport r = detachAndCheck(dev, dir, "/vm/top.qcow2", changed, open, opt);
        print("ext4-changed qcow2 + backing file " + mode + " (top " + topBytes + " bytes)", r);
        switch (mode) {
            case "kept" -> {
                assertThat(r.imageFilesRemoved()).containsExactly("/vm/top.qcow2");
                assertThat(r.backingFilesKept()).containsExactly("/vm/base.qcow2");
                assertThat(r.bytesCopiedByReason().get(CopyReason.BACKING_FILE)).isGreaterThan(30 * MIB);
            }
            case "detached" -> {
                assertThat(r.imageFilesRemoved()).containsExactly("/vm/top.qcow2", "/vm/base.qcow2");
                assertThat(r.backingFilesKept()).isEmpty();
                assertWithinOnePercent(r);
            }
            default -> {
                assertThat(r.imageFilesRemoved()).containsExactly("/vm/top.qcow2");
                assertThat(r.bytesCopiedByReason().get(CopyReason.OTHER_FILESYSTEM)).isGreaterThan(30 * MIB);
            }
        }
        // what stays is untouched: checked on the device after the detach (undo has run since: run again to look)
        if (!mode.equals("detached")) {
            OfflineDetach.run(dev, null, "/vm/top.qcow2", open, "/restored", d -> GuestItems.of(d, null).items(),
                    opt.undoingTo(dir.resolve("undo2")));
            try (LoopMount m = LoopMount.readOnly(dev, 0, 0, "ext4", "")) {
                Path kept = mode.equals("kept") ? m.path().resolve("vm/base.qcow2") : baseDir.resolve("base.qcow2");
                assertThat(HostFixture.sha256(kept)).as("the backing file after the detach").isEqualTo(baseSha);
            }
        }
    }

    /**
     * Backing names that lead nowhere inside the host are refused (exit 3, naming the field) before
     * anything is written: an absolute name without --allow-outside-parents, a name climbing above
     * the host's root, a symbolic link inside the host.
     */
    @org.junit.jupiter.api.Test
    void backingNamesThatLeadNowhereAreRefused(@TempDir Path dir) throws Exception {
        needTools("ext4");
        Path vm = Files.createDirectories(dir.resolve("hsrc/vm"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", elsewhere.resolve("base.qcow2").toString(), "16M");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", elsewhere.resolve("base.qcow2").toString(), "-F", "qcow2",
                vm.resolve("top.qcow2").toString(), "16M");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "../../up.qcow2", "-F", "qcow2", vm.resolve("up.qcow2").toString(), "16M");
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", vm.resolve("base.qcow2").toString(), "16M");
        Files.createSymbolicLink(vm.resolve("alias.qcow2"), Path.of("base.qcow2"));
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "alias.qcow2", "-F", "qcow2", vm.resolve("via-link.qcow2").toString(), "16M");
        Path dev = host(dir, 0);
        String before = HostFixture.sha256(dev);
        for (String[] c : new String[][] {{"/vm/top.qcow2", "--allow-outside-parents"}, {"/vm/up.qcow2", "leads out of the host filesystem"},
            {"/vm/via-link.qcow2", "symbolic link"}}) {
            io.vdetach.testkit.Cli.Run run = io.vdetach.testkit.Cli.run("offline", "detach", "--device", dev.toString(), "--image", c[0],
                    "--to", "/x", "--dry-run");
            assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(3);
            assertThat(run.err()).contains("backing file name").contains(c[1]);
        }
        assertThat(HostFixture.sha256(dev)).isEqualTo(before);
    }

    // ---------------------------------------------------------------- shared steps

    /**
     * {@code baseDir/base.qcow2} holding {@link FormatGuest#ext4()}, and {@code vm/top.qcow2} naming it
     * {@code backingName} and holding only what {@link FormatGuest#ext4Changed()} changed: a qcow2 over
     * the changed disk, rebased (safe mode) onto the base.
     */
    static void backingChain(Path dir, Path vm, Path baseDir, String backingName) throws Exception {
        Sh.run("qemu-img", "convert", "-O", "qcow2", FormatGuest.ext4().raw().toString(), baseDir.resolve("base.qcow2").toString());
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Sh.run("qemu-img", "convert", "-O", "qcow2", FormatGuest.ext4Changed().raw().toString(), scratch.resolve("changed.qcow2").toString());
        Sh.run("qemu-img", "create", "-q", "-f", "qcow2", "-b", scratch.resolve("changed.qcow2").toString(), "-F", "qcow2",
                vm.resolve("top.qcow2").toString());
        Sh.Result made = Sh.exec(vm, "qemu-img", "rebase", "-b", backingName, "-F", "qcow2", "top.qcow2");
        assertThat(made.exit()).as(made.err()).isZero();
        Sh.run("rm", "-rf", scratch.toString());
        assertThat(Sh.run("qemu-img", "info", vm.resolve("top.qcow2").toString())).contains("backing file: " + backingName);
    }

    static void needTools(String guest) {
        Need.root();
        Need.tools("qemu-img", "mke2fs", "e2fsck", "losetup", "mount", "sgdisk", "getfattr");
        if (guest.equals("ntfs")) Need.tools("mkntfs", "ntfs-3g", "sfdisk", "setfattr");
    }

    /** An ext4 host made by mke2fs -d from {@code dir/hsrc}, with room for what may be copied. */
    static Path host(Path dir, long extraBytes) throws Exception {
        long bytes = Long.parseLong(Sh.run("du", "-sb", "--apparent-size", dir.resolve("hsrc").toString()).split("\\s")[0]);
        long mib = (2 * bytes + extraBytes) / MIB + 48;
        Path dev = dir.resolve("host.ext4");
        Sh.run("truncate", "-s", mib + "M", dev.toString());
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-E", "nodiscard", "-d", dir.resolve("hsrc").toString(), dev.toString());
        Sh.run("rm", "-rf", dir.resolve("hsrc").toString());
        return dev;
    }

    /**
     * A dry run (nothing written, the same plan), then the detach of {@code image} into /restored,
     * then: e2fsck -fn clean, the guest tree equal to the reference, the image's files gone from
     * the host, and the undo file giving the device back byte for byte.
     */
    static OfflineReport detachAndCheck(Path dev, Path dir, String image, FormatGuest guest, OpenOptions open, OfflineOptions opt)
            throws Exception {
        String before = HostFixture.sha256(dev);
        AtomicReference<List<String>> errors = new AtomicReference<>();
        OfflineDetach.ItemSource items = d -> {
            GuestItems.Result res = GuestItems.of(d, null);
            errors.set(res.errors());
            return res.items();
        };
        OfflineReport dry = OfflineDetach.run(dev, null, image, open, "/restored", items,
                new OfflineOptions(null, true, -1, opt.maxBufferedCopyBytes()).withDetachBacking(opt.detachBacking()));
        assertThat(HostFixture.sha256(dev)).as("a dry run writes nothing").isEqualTo(before);
        OfflineReport r = OfflineDetach.run(dev, null, image, open, "/restored", items, opt);
        System.out.println(r.toJson());
        assertThat(errors.get()).isEmpty();
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.bytesDonated()).isEqualTo(r.bytesDonated());
        assertThat(dry.bytesCopiedByReason()).isEqualTo(r.bytesCopiedByReason());
        assertThat(dry.imageFilesRemoved()).isEqualTo(r.imageFilesRemoved());

        Sh.Result fsck = Sh.exec(null, "e2fsck", "-fn", dev.toString());
        assertThat(fsck.exit()).as("e2fsck -fn:\n" + fsck.out() + fsck.err()).isZero();
        try (LoopMount m = LoopMount.readOnly(dev, 0, 0, "ext4", "")) {
            TreeMap<String, EntryFacts> actual = HostTree.walk(m.path().resolve("restored/" + guest.volume()));
            TreeAssert.assertSameTree(guest.reference(), guest.name().equals("ntfs") ? withoutNtfsXattrs(actual) : actual);
            for (String gone : r.imageFilesRemoved()) assertThat(m.path().resolve(gone.substring(1))).doesNotExist();
            for (String kept : r.backingFilesKept()) assertThat(m.path().resolve(kept.substring(1))).exists();
        }
        long restored = OfflineDetach.undo(dev, opt.undoFile());
        assertThat(restored).isPositive();
        assertThat(HostFixture.sha256(dev)).as("undo restores the device").isEqualTo(before);
        return r;
    }

    /** Our NTFS reader keeps the creation time and attribute bits as user.ntfs.* xattrs, which ntfs-3g does not list. */
    private static TreeMap<String, EntryFacts> withoutNtfsXattrs(Map<String, EntryFacts> tree) {
        TreeMap<String, EntryFacts> out = new TreeMap<>();
        tree.forEach((k, f) -> {
            TreeMap<String, String> x = new TreeMap<>(f.xattrs());
            x.remove(NtfsFilesystem.XATTR_CRTIME);
            x.remove(NtfsFilesystem.XATTR_ATTRIB);
            out.put(k, new EntryFacts(f.type(), f.size(), f.sha256(), f.mode(), f.uid(), f.gid(), f.mtimeSeconds(), f.mtimeNanos(),
                    f.linkTarget(), f.rdev(), x, f.linkGroup()));
        });
        return out;
    }

    /** Blocks written to the device: data copied and metadata. */
    static long written(OfflineReport r) {
        return r.blocksCopied() + r.metadataBlocksWritten();
    }

    static void assertWithinOnePercent(OfflineReport r) {
        long data = r.bytesDonated() + r.bytesCopied();
        assertThat(written(r) * r.blockSize()).as("bytes written to the device vs 1% of " + data + " data bytes").isLessThanOrEqualTo(data / 100);
    }

    static void print(String what, OfflineReport r) {
        long data = r.bytesDonated() + r.bytesCopied();
        System.out.printf("OFFLINE-FORMAT %s: handed over %d bytes, copied %d %s; written %d blocks (%.2f%% of %d data bytes), freed %d%n",
                what, r.bytesDonated(), r.bytesCopied(), r.bytesCopiedByReason(), written(r), 100.0 * written(r) * r.blockSize() / data,
                data, r.blocksFreed());
    }
}
