package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Extractor;
import io.vdetach.apply.Report;
import io.vdetach.apply.StreamingDetach;
import io.vdetach.plan.Mode;
import io.vdetach.error.HostException;
import io.vdetach.plan.OpenedImage;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "detach", description = "Extract, sync, then delete the image (only when every entry was extracted).")
final class DetachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();

    @Option(names = "--streaming", description = "Punch consumed parts of the image as the copy goes (hosts without sharing).")
    boolean streaming;

    @Option(names = "--window", paramLabel = "SIZE", description = "With --streaming: bytes of the image copied and synced before they are punched (default 1G; K, M, G suffixes).")
    String window = "1G";

    @Override
    public Integer call() throws Exception {
        if (wo.dryRun) throw new UsageException("detach --dry-run: use `vdetach plan`");
        if (streaming) return streaming();
        Report r;
        List<Path> own;
        ExtractOptions options = wo.toExtractOptions(TerminalProgress.create(wo.noProgress || io.json, 0));
        try (OpenedImage img = OpenedImage.open(image, io.openOptions(), io.mountOptions())) {
            own = img.image().ownFiles();
            r = Extractor.extract(img, dest, options);
        }
        if (r.exitCode() != 0) {
            r.warnings.add("the image was NOT deleted: " + r.errors.size() + " entries failed");
            Output.report(r, io.json, "extracted");
            return r.exitCode();
        }
        Path dir = own.getFirst().toAbsolutePath().getParent();
        StatFs before = statfs(dir);
        for (Path p : own) {
            Files.delete(p);
            r.deleted.add(p.toString());
        }
        try (Fd dfd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            Linux.fsync(dfd);
            Linux.syncfs(dfd);
        }
        StatFs after = statfs(dir);
        r.spaceReclaimed = (after.blocksFree() - before.blocksFree()) * after.blockSize();
        Output.report(r, io.json, "detached");
        return 0;
    }

    /** detach --streaming: copy window by window, punching what is copied (io.vdetach.apply.StreamingDetach). */
    private int streaming() throws Exception {
        if (wo.parseMode() == Mode.SHARE) throw new UsageException("--streaming copies: it cannot be combined with --mode share");
        long bytes = parseSize(window);
        if (bytes < StreamingDetach.MIN_WINDOW) throw new UsageException("--window must be at least 1M, not " + window);
        ExtractOptions options = wo.toExtractOptions(TerminalProgress.create(wo.noProgress || io.json, 0));
        Report r = StreamingDetach.run(image, dest, options, bytes, io.openOptions(), io.mountOptions());
        Output.report(r, io.json, r.deleted.isEmpty() ? "extracted" : "detached");
        return r.exitCode();
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.endsWith("IB")) t = t.substring(0, t.length() - 2);
        else if (t.endsWith("B")) t = t.substring(0, t.length() - 1);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
        }
        if (shift > 0) t = t.substring(0, t.length() - 1);
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > (Long.MAX_VALUE >> shift)) throw new NumberFormatException();
            return v << shift;
        } catch (NumberFormatException e) {
            throw new UsageException("--window: not a size: " + s);
        }
    }

    private static StatFs statfs(Path dir) {
        try (Fd fd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            return Linux.fstatfs(fd);
        }
    }
}
