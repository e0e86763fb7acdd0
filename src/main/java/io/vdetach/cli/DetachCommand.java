package io.vdetach.cli;

import io.vdetach.apply.CrashPoints;
import io.vdetach.apply.Detach;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Report;
import io.vdetach.error.UsageException;
import io.vdetach.evidence.EvidenceOptions;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "detach", description = "Extract, sync, then delete the image (only when every entry was extracted).")
final class DetachCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();
    @Mixin EvidenceOptionsMixin eo = new EvidenceOptionsMixin();
    @Spec CommandSpec spec;

    @Option(names = "--tar", hidden = true, paramLabel = "FILE") String tar;

    @Option(names = "--streaming", description = "Punch consumed parts of the image as the copy goes (hosts without sharing).")
    boolean streaming;

    @Option(names = "--window", paramLabel = "SIZE", description = "With --streaming: bytes of the image copied and synced before they are punched (default 1G; K, M, G suffixes).")
    String window = "1G";

    @Override
    public Integer call() throws Exception {
        if (wo.dryRun) throw new UsageException("detach --dry-run: use `vdetach plan`");
        if (streaming && io.vss != null) {
            throw new UsageException("detach --streaming --vss: shadow copies read the volume's bytes in several places (a"
                    + " store's copies, the live blocks) that the streaming copy would punch before a resumed run re-read them;"
                    + " use extract --vss, or detach without --streaming");
        }
        if (tar != null) {
            throw new UsageException("detach --tar: an archive does not hold the image's blocks; use `vdetach extract --tar`,"
                    + " then delete the image yourself");
        }
        EvidenceOptions evidence = eo.toOptions(spec, true);
        Detach.Streaming s = streaming ? new Detach.Streaming(parseSize(window), CrashPoints.NONE) : null;
        Report r = Detach.run(new Detach.Request(new ImageSource(image, io.openOptions(), io.mountOptions()), dest,
                wo.toExtractOptions(io.json).withEvidence(evidence), s));
        ReportView.print(r, io.json, r.deletion() == null ? "extracted" : "detached", evidence.usesStdout() ? System.err : System.out);
        return r.exitCode();
    }

    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);

    /** "1048576", "256M", "1G", "2GiB", "64k": bytes. */
    static long parseSize(String s) {
        return parseSize("--window", s);
    }

    /** As {@link #parseSize(String)}, for {@code option}'s value. */
    static long parseSize(String option, String s) {
        Matcher m = SIZE.matcher(s.trim());
        if (m.matches()) {
            String unit = m.group(2).toUpperCase(Locale.ROOT);
            int shift = unit.isEmpty() ? 0 : 10 * (1 + "KMGT".indexOf(unit));
            long v = Long.parseLong(m.group(1));
            if (v <= Long.MAX_VALUE >> shift) return v << shift;
        }
        throw new UsageException(option + ": not a size: " + s);
    }
}
