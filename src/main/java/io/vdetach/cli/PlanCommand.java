package io.vdetach.cli;

import io.vdetach.apply.Extractor;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan", description = "Say what extract would do: bytes shared, copied, sparse, and why.")
final class PlanCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();

    @Option(names = "--deleted", description = "Also plan the deleted and orphan entries extract --deleted would recover.")
    boolean deleted;

    @Override
    public Integer call() throws Exception {
        wo.dryRun = true;
        Report r = Extractor.extract(new ImageSource(image, io.openOptions(), io.mountOptions()), dest,
                wo.toExtractOptions(true).withDeleted(deleted));
        ReportView.print(r, io.json, "would extract");
        return r.exitCode();
    }
}
