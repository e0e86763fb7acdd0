package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.error.VdetachException;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.host.HostFilesystem;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.HostSpace;
import io.vdetach.plan.Mode;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.Totals;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * extract (and plan, its dry run): every readable volume's tree into DEST, sharing blocks where
 * the plan says so. Files are written by writer threads, or by the ordered-copy engine when
 * nothing can be shared; hard links and directory metadata come last.
 */
public final class Extractor {
    private Extractor() {}

    public static Report extract(ImageSource source, Path dest, ExtractOptions o) throws IOException {
        try (OpenedImage image = source.openImage()) {
            return extract(image, dest, o);
        }
    }

    public static Report extract(OpenedImage image, Path dest, ExtractOptions o) throws IOException {
        return extract(image, dest, o, "extract");
    }

    /** @param command "extract" or "detach", for the manifest's header */
    static Report extract(OpenedImage image, Path dest, ExtractOptions o, String command) throws IOException {
        if (o.dryRun() || !o.evidence().writes()) return extract(image, dest, o, EvidenceTrail.OFF);
        try (EvidenceTrail trail = EvidenceTrail.open(o.evidence(), command, image)) {
            Report r = extract(image, dest, o, trail);
            trail.finish(r);
            return r;
        }
    }

    private static Report extract(OpenedImage image, Path dest, ExtractOptions o, EvidenceTrail trail) throws IOException {
        long t0 = System.nanoTime();
        Tally report = new Tally();
        image.image().warnings().forEach(report::warn);
        if (!o.dryRun()) Files.createDirectories(dest);
        Path existing = dest.toAbsolutePath();
        while (o.dryRun() && existing.getParent() != null && !Files.isDirectory(existing)) existing = existing.getParent();
        try (Fd destFd = Linux.open(existing.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
             SourceFiles sources = new SourceFiles()) {
            HostFilesystem host = HostFilesystem.of(existing, destFd);
            Classifier classifier = new Classifier(host, o.mode());
            List<String> notShared = whyNotShared(image, classifier);
            String refused = notShared.stream().filter(Objects::nonNull).findFirst().orElse(null);
            if (o.mode() == Mode.SHARE && refused != null) throw new HostException(refused);
            StatFs before = host.statfs();
            List<OpenedImage.Slot> slots = selected(image, o.volume());
            if (o.dryRun()) mergesInto(dest, slots, o, report);
            o.progress().expect(expected(slots, GuestFilesystem::usedBytes), expected(slots, GuestFilesystem::usedEntries));
            MetadataWriter metadata = new MetadataWriter(o.restoreOwners());
            HostTreeBuilder builder = new HostTreeBuilder(o.onConflict(), report);
            Finisher finisher = new Finisher(metadata, report);
            // Nothing to share: one ordered pass over the image instead of file by file.
            boolean ordered = !o.dryRun() && (o.mode() == Mode.COPY || !notShared.contains(null));
            try (Workers workers = new Workers(o.dryRun() || ordered ? 0 : o.threads(),
                    () -> new ContentWriter(sources, o.mode(), host.blockSize(), host.allocateBeforeWriting()));
                 ShareHashes hashes = ordered || !trail.hashing() ? null : new ShareHashes(sources)) {
                Totals totals = new Totals();
                VolumeExtraction.Context ctx = new VolumeExtraction.Context(destFd, o, report, classifier, metadata, totals,
                        host.statfs().type() == StatFs.BTRFS_MAGIC, builder, workers, finisher, trail, hashes);
                if (ordered) {
                    try (CopiedFiles copy = new CopiedFiles(ctx, sources,
                            new ContentWriter(sources, Mode.COPY, host.blockSize(), host.allocateBeforeWriting()))) {
                        for (OpenedImage.Slot slot : slots) walk(ctx, slot, o.volume() != null, copy);
                        copy.drain();
                    }
                } else {
                    for (OpenedImage.Slot slot : slots) walk(ctx, slot, o.volume() != null, null);
                }
                workers.drain();
                if (hashes != null) hashes.drain();
                trail.rehashFallbacks();
                report.notShared(totals.reasons());
                if (o.dryRun()) forecast(report, host, totals);
            }
            if (!o.dryRun()) {
                finisher.finish(destFd, builder);
                long s0 = System.nanoTime();
                Linux.syncfs(destFd);
                if (System.getenv("VDETACH_DEBUG") != null) System.err.printf("final syncfs %.2f s%n", (System.nanoTime() - s0) / 1e9);
                StatFs after = Linux.fstatfs(destFd);
                report.extraSpaceUsed((before.blocksFree() - after.blocksFree()) * after.blockSize());
            }
        } finally {
            o.progress().done();
        }
        return report.report((System.nanoTime() - t0) / 1e9);
    }

    /** plan: what the run would take of DEST's filesystem, and a warning when that is more than it has free. */
    private static void forecast(Tally report, HostFilesystem host, Totals totals) {
        HostSpace s = HostSpace.of(totals.blocksWritten(), host.blockSize(), host.metadataBytes(report.entries(), report.directories()));
        report.hostSpace(s);
        long available = host.statfs().bytesAvailable();
        if (s.peakBytes() > available) {
            report.warn("DEST's filesystem has " + available + " bytes free for us; the run would take up to " + s.peakBytes()
                    + " bytes of it (" + s.bytesWritten() + " bytes of written blocks, the rest inodes and directory entries)");
        }
    }

    /** Walks one volume; {@code files}: where planned files go instead of the writer threads (null: to them). */
    static void walk(VolumeExtraction.Context ctx, OpenedImage.Slot slot, boolean intoDest,
                     VolumeExtraction.DeferredFiles files) throws IOException {
        Tally.Volume vf = begin(ctx.report(), slot);
        if (vf == null) return;
        GuestFilesystem fs = slot.filesystem();
        VolumeExtraction walk = new VolumeExtraction(ctx, fs, slot.volume().name(), slot.volume().size(), intoDest, vf);
        try {
            TreeWalker.walk(fs, files == null ? walk : walk.deferFilesTo(files));
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while reading volume " + slot.volume().name() + " (" + fs.type() + ")", e);
        } finally {
            walk.releaseOpenDirectories();
        }
        if (ctx.options().deleted()) recovered(ctx, slot, intoDest, files, vf, walk.rootHostName());
    }

    /** --deleted: the volume's recovered entries, under its $Deleted/ and $Orphan/, counted apart from the live tree. */
    private static void recovered(VolumeExtraction.Context ctx, OpenedImage.Slot slot, boolean intoDest,
                                  VolumeExtraction.DeferredFiles files, Tally.Volume live, byte[] liveRoot) throws IOException {
        GuestFilesystem fs = slot.filesystem();
        String name = slot.volume().name();
        RecoveredTree tree;
        try {
            tree = RecoveredTree.of(fs);
        } catch (VdetachException e) {
            ctx.report().error(live, name + "/" + Recovered.Place.DELETED.dirName(), e);
            return;
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while scanning volume " + name + " (" + fs.type() + ") for deleted entries", e);
        }
        for (String n : tree.notices()) ctx.report().warn(name + ": " + n);
        if (tree.recoveredCount() == 0 && tree.problems().isEmpty()) return;
        Tally.Volume vf = ctx.report().recoveredVolume(name, fs.type());
        for (VdetachException e : tree.problems()) ctx.report().error(vf, name + "/" + Recovered.Place.DELETED.dirName(), e);
        if (tree.recoveredCount() == 0) return;
        VolumeExtraction walk = VolumeExtraction.recovered(ctx, tree, name, slot.volume().size(), intoDest, vf, liveRoot);
        try {
            TreeWalker.walk(tree, files == null ? walk : walk.deferFilesTo(files));
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while writing the recovered entries of volume " + name + " (" + fs.type() + ")", e);
        } finally {
            walk.releaseOpenDirectories();
        }
    }

    /** plan: the volume directories DEST already has (their entries would merge into them). */
    private static void mergesInto(Path dest, List<OpenedImage.Slot> slots, ExtractOptions o, Tally report) {
        if (o.volume() != null) return;
        for (OpenedImage.Slot s : slots) {
            Path vdir = dest.resolve(s.volume().name());
            if (s.filesystem() != null && Files.exists(vdir)) {
                report.conflict(vdir.toString(), "exists: entries merge into it, files that exist are handled by --on-conflict "
                        + o.onConflict().name().toLowerCase(java.util.Locale.ROOT), null);
            }
        }
    }

    /** Why each file of the image cannot share blocks with DEST (null where it can: same filesystem, reflink). */
    private static List<String> whyNotShared(OpenedImage image, Classifier classifier) throws IOException {
        List<String> why = new ArrayList<>();
        for (Path p : image.image().files()) {
            try (HostFile f = HostFile.open(p)) {
                String w = classifier.whyNotShared(f);
                why.add(w == null ? null : "--mode share: cannot share blocks of " + p + " into DEST: " + w);
            }
        }
        return why;
    }

    /** What the readable filesystems say they hold, for the progress line's ETA; 0 when any cannot say. */
    private static long expected(List<OpenedImage.Slot> slots, ToLongFunction<GuestFilesystem> used) {
        long total = 0;
        for (OpenedImage.Slot s : slots) {
            if (s.filesystem() == null) continue;
            long n = used.applyAsLong(s.filesystem());
            if (n < 0) return 0;
            total += n;
        }
        return total;
    }

    /** The slots to extract: all, or the one --volume names (a name that is not there is a usage error). */
    static List<OpenedImage.Slot> selected(OpenedImage image, String volume) {
        if (volume == null) return image.slots();
        OpenedImage.Slot s = image.slot(volume);
        if (s == null) throw new UsageException("--volume " + volume + ": no such volume in the image (see vdetach ls)");
        return List.of(s);
    }

    /**
     * Starts a volume in the report: its handle, or null when there is nothing to walk (no
     * filesystem we read; a damaged one is recorded as an error of that volume).
     */
    static Tally.Volume begin(Tally report, OpenedImage.Slot slot) {
        GuestFilesystem fs = slot.filesystem();
        if (fs == null) {
            if (slot.problem() != null) {
                String what = slot.probed() instanceof Probed.NotExtracted n ? n.what() : "damaged";
                report.volumeFailed(slot.volume().name(), what, slot.problem());
            } else if (slot.bitlocker() != null && slot.bitlocker().locked()) {
                report.warn(slot.volume().name() + ": BitLocker volume " + slot.bitlocker().volumeId()
                        + " is locked, not extracted (give --password, --password-file, --recovery-password or --key-file)");
            }
            return null;
        }
        for (String w : fs.warnings()) report.warn(slot.volume().name() + ": " + w);
        return report.volume(slot.volume().name(), fs.type());
    }
}
