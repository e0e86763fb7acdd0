package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.host.HostFilesystem;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.Mode;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.Totals;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * extract: every readable volume's tree into DEST, sharing blocks where the plan says so.
 * Files are written by writer threads; hard links and directory metadata come last.
 */
public final class Extractor {
    private Extractor() {}

    public static Report extract(OpenedImage image, Path dest, ExtractOptions o) throws IOException {
        long t0 = System.nanoTime();
        Report report = new Report();
        report.warnings.addAll(image.image().warnings());
        if (!o.dryRun()) Files.createDirectories(dest);
        Path existing = dest.toAbsolutePath();
        while (o.dryRun() && existing.getParent() != null && !Files.isDirectory(existing)) existing = existing.getParent();
        try (Fd destFd = Linux.open(existing.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
             SourceFiles sources = new SourceFiles()) {
            HostFilesystem host = HostFilesystem.of(existing, destFd);
            Classifier classifier = new Classifier(host, o.mode());
            if (o.mode() == Mode.SHARE) requireSharing(image, classifier);
            StatFs before = host.statfs();
            List<OpenedImage.Slot> slots = selected(image, o);
            o.progress().expect(expected(slots, GuestFilesystem::usedBytes), expected(slots, GuestFilesystem::usedEntries));
            MetadataWriter metadata = new MetadataWriter(o.restoreOwners());
            HostTreeBuilder builder = new HostTreeBuilder(o.onConflict(), report);
            Finisher finisher = new Finisher();
            // Nothing to share: one ordered pass over the image instead of file by file.
            boolean ordered = !o.dryRun() && (o.mode() == Mode.COPY || sharesNothing(image, classifier));
            try (Workers workers = new Workers(o.dryRun() || ordered ? 0 : o.threads(),
                    () -> new ContentWriter(sources, o.mode(), host.blockSize()))) {
                Totals totals = new Totals();
                VolumeExtraction.Context ctx = new VolumeExtraction.Context(destFd, o, report, classifier, metadata, totals,
                        host.statfs().type() == StatFs.BTRFS_MAGIC, builder, workers, finisher);
                if (ordered) {
                    try (OrderedCopy copy = new OrderedCopy(ctx, sources, new ContentWriter(sources, Mode.COPY, host.blockSize()))) {
                        for (OpenedImage.Slot slot : slots) extractVolume(ctx, slot, o.volume() != null, copy);
                        copy.drain();
                    }
                } else {
                    for (OpenedImage.Slot slot : slots) extractVolume(ctx, slot, o.volume() != null, null);
                }
                workers.drain();
                report.reasons.putAll(totals.reasons());
            }
            if (!o.dryRun()) {
                finisher.finish(destFd, builder, metadata, report);
                long s0 = System.nanoTime();
                Linux.syncfs(destFd);
                if (System.getenv("VDETACH_DEBUG") != null) System.err.printf("final syncfs %.2f s%n", (System.nanoTime() - s0) / 1e9);
                StatFs after = Linux.fstatfs(destFd);
                report.extraSpaceUsed = (before.blocksFree() - after.blocksFree()) * after.blockSize();
            }
        } finally {
            o.progress().done();
        }
        report.seconds = (System.nanoTime() - t0) / 1e9;
        return report;
    }

    private static void extractVolume(VolumeExtraction.Context ctx, OpenedImage.Slot slot, boolean intoDest,
                                      VolumeExtraction.DeferredFiles files) throws IOException {
        Report.VolumeFigures vf = begin(ctx.report(), slot);
        if (vf == null) return;
        GuestFilesystem fs = slot.filesystem();
        VolumeExtraction walk = new VolumeExtraction(ctx, fs, slot.volume().name(), intoDest, vf);
        try {
            TreeWalker.walk(fs, files == null ? walk : walk.deferFilesTo(files));
        } finally {
            walk.releaseOpenDirectories();
        }
    }

    /** True when no file of the image can share blocks with DEST (another filesystem, no reflink...). */
    private static boolean sharesNothing(OpenedImage image, Classifier classifier) throws IOException {
        for (Path p : image.image().files()) {
            try (HostFile f = HostFile.open(p)) {
                if (classifier.whyNotShared(f) == null) return false;
            }
        }
        return true;
    }

    /** What the readable filesystems say they hold, for the progress line's ETA; 0 when any cannot say. */
    private static long expected(List<OpenedImage.Slot> slots, java.util.function.ToLongFunction<GuestFilesystem> used) {
        long total = 0;
        for (OpenedImage.Slot s : slots) {
            if (s.filesystem() == null) continue;
            long n = used.applyAsLong(s.filesystem());
            if (n < 0) return 0;
            total += n;
        }
        return total;
    }

    /** The slots to extract: all, or the one --volume names. */
    static List<OpenedImage.Slot> selected(OpenedImage image, ExtractOptions o) {
        if (o.volume() == null) return image.slots();
        OpenedImage.Slot s = image.slot(o.volume());
        if (s == null) throw new HostException("no volume " + o.volume() + " in the image (see vdetach ls)");
        return List.of(s);
    }

    /**
     * Starts a volume in the report: its figures, or null when there is nothing to walk (no
     * filesystem we read; a damaged one is recorded as an error of that volume).
     */
    static Report.VolumeFigures begin(Report report, OpenedImage.Slot slot) {
        GuestFilesystem fs = slot.filesystem();
        if (fs == null) {
            if (slot.problem() != null) {
                report.volumeFailures++;
                String what = slot.probed() instanceof io.vdetach.guestfs.Probed.NotExtracted n ? n.what() : "damaged";
                Report.VolumeFigures vf = new Report.VolumeFigures(slot.volume().name(), what);
                vf.status = "error";
                report.volumes.add(vf);
                report.error(vf, slot.volume().name(), slot.problem().getMessage());
            }
            return null;
        }
        for (String w : fs.warnings()) report.warn(slot.volume().name() + ": " + w);
        Report.VolumeFigures vf = new Report.VolumeFigures(slot.volume().name(), fs.type());
        report.volumes.add(vf);
        return vf;
    }

    private static void requireSharing(OpenedImage image, Classifier classifier) throws IOException {
        for (Path p : image.image().files()) {
            try (HostFile f = HostFile.open(p)) {
                String why = classifier.whyNotShared(f);
                if (why != null) throw new HostException("--mode share: cannot share blocks of " + p + " into DEST: " + why);
            }
        }
    }
}
