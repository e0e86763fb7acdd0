package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Extractor;
import io.vdetach.apply.Progress;
import io.vdetach.apply.Report;
import io.vdetach.plan.OpenedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "plan", description = "Say what extract would do: bytes shared, copied, sparse, and why.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();

    @Override
    public Integer call() throws Exception {
        wo.dryRun = true;
        Path probe = dest;
        while (probe != null && !Files.exists(probe)) probe = probe.toAbsolutePath().getParent();
        if (probe == null) throw new UsageException("DEST " + dest + " has no existing parent directory");
        ExtractOptions o = wo.toExtractOptions(Progress.NONE);
        try (OpenedImage img = OpenedImage.open(image, io.openOptions(), io.mountOptions())) {
            Report r = Extractor.extract(img, probe, o);
            for (OpenedImage.Slot s : img.slots()) {
                Path vdir = dest.resolve(s.volume().name());
                if (wo.volume == null && s.filesystem() != null && Files.exists(vdir)) {
                    r.conflicts.add(new Report.Conflict(vdir.toString(), "exists: entries merge into it, files that exist are handled by --on-conflict " + wo.onConflict, null));
                }
            }
            for (String w : img.image().warnings()) if (!r.warnings.contains(w)) r.warnings.add(w);
            Output.report(r, io.json, "would extract");
            return r.exitCode();
        }
    }
}
