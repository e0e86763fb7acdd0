package io.vdetach.cli;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Extractor;
import io.vdetach.apply.Report;
import io.vdetach.error.HostException;
import io.vdetach.plan.OpenedImage;
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

    @Override
    public Integer call() throws Exception {
        if (streaming) throw new UsageException("--streaming is not implemented yet (issue 7); use extract, then delete the image");
        if (wo.dryRun) throw new UsageException("detach --dry-run: use `vdetach plan`");
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
        int dfd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try {
            Linux.fsync(dfd);
            Linux.syncfs(dfd);
        } finally {
            Linux.close(dfd);
        }
        StatFs after = statfs(dir);
        r.spaceReclaimed = (after.blocksFree() - before.blocksFree()) * after.blockSize();
        Output.report(r, io.json, "detached");
        return 0;
    }

    private static StatFs statfs(Path dir) {
        int fd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0);
        try {
            return Linux.fstatfs(fd);
        } catch (RuntimeException e) {
            throw new HostException("statfs " + dir + ": " + e.getMessage());
        } finally {
            Linux.close(fd);
        }
    }
}
