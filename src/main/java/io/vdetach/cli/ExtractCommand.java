package io.vdetach.cli;

import io.vdetach.apply.Extractor;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "extract", description = "Extract every file of the image into DEST (the image is never modified).")
final class ExtractCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();

    @Override
    public Integer call() throws Exception {
        Report r = Extractor.extract(new ImageSource(image, io.openOptions(), io.mountOptions()), dest,
                wo.toExtractOptions(io.json));
        ReportView.print(r, io.json, wo.dryRun ? "would extract" : "extracted");
        return r.exitCode();
    }
}
