package io.vdetach.cli;

import io.vdetach.apply.CrashPoints;
import io.vdetach.apply.Detach;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Report;
import io.vdetach.error.UsageException;
import java.nio.file.Path;
import java.util.Locale;
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
        Detach.Streaming s = streaming ? new Detach.Streaming(parseSize(window), CrashPoints.NONE) : null;
        Report r = Detach.run(new Detach.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), dest,
                wo.toExtractOptions(TerminalProgress.create(wo.noProgress || io.json, 0)), s));
        Output.report(r, io.json, r.deletion() == null ? "extracted" : "detached");
        return r.exitCode();
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
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
}
