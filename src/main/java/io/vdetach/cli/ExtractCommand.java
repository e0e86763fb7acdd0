package io.vdetach.cli;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Extractor;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Report;
import io.vdetach.apply.TarExport;
import io.vdetach.error.UsageException;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.evidence.Output;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "extract", description = "Extract every file of the image into DEST (the image is never modified).")
final class ExtractCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "DEST", arity = "0..1") Path dest;
    @Mixin ImageOptions io = new ImageOptions();
    @Mixin WriteOptions wo = new WriteOptions();
    @Mixin EvidenceOptionsMixin eo = new EvidenceOptionsMixin();
    @Spec CommandSpec spec;

    @Option(names = "--tar", paramLabel = "FILE|-", description = "Write one POSIX pax archive (- for stdout) instead of files into DEST.")
    String tar;

    @Option(names = "--deleted", description = "Also recover deleted and orphan entries, into <volume>/$Deleted/<original path> and <volume>/$Orphan/<id>.")
    boolean deleted;

    @Override
    public Integer call() throws Exception {
        if ((dest == null) == (tar == null)) throw new UsageException("extract needs DEST or --tar FILE (not both)");
        if (deleted && tar != null) throw new UsageException("--deleted is not supported with --tar yet: extract into DEST");
        EvidenceOptions evidence = eo.toOptions(spec, true);
        if (wo.dryRun && evidence.writes()) throw new UsageException("--dry-run writes nothing: for a manifest without extracting use `vdetach ls --manifest`");
        boolean tarToStdout = "-".equals(tar);
        if (tarToStdout && evidence.usesStdout()) throw new UsageException("--tar - and a manifest or bodyfile to -: only one can be stdout");
        ExtractOptions o = wo.toExtractOptions(io.json).withEvidence(evidence).withDeleted(deleted);
        ImageSource source = new ImageSource(image, io.openOptions(), io.mountOptions());
        // stdout carrying data (the archive, the manifest): the report goes to stderr
        PrintStream out = tarToStdout || evidence.usesStdout() ? System.err : System.out;
        Report r;
        if (tar != null) {
            if (wo.dryRun) throw new UsageException("--tar --dry-run: use `vdetach plan`");
            r = TarExport.run(new TarExport.Request(source, Output.of(tar, System.out), o));
        } else {
            r = Extractor.extract(source, dest, o);
        }
        ReportView.print(r, io.json, wo.dryRun ? "would extract" : tar != null ? "archived" : "extracted", out);
        return r.exitCode();
    }
}
