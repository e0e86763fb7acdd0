package io.vdetach.apply;

import io.vdetach.plan.OpenedImage;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.StatFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * detach: extract, sync, then delete the image's own files (never a backing file), only when
 * every entry was extracted; or {@code --streaming} ({@link StreamingDetach}). The space
 * reclaimed is measured (statfs of the image's filesystem before and after), never estimated.
 */
public final class Detach {
    private Detach() {}

    /** @param streaming {@code --streaming}'s settings; null: extract, then delete */
    public record Request(ImageSource image, Path dest, ExtractOptions options, Streaming streaming) {}

    /**
     * @param window bytes of the image copied and synced before they are punched
     * @param crashPoints {@link CrashPoints#NONE} but in crash tests
     */
    public record Streaming(long window, CrashPoints crashPoints) {}

    public static Report run(Request r) throws IOException {
        if (r.streaming() != null) return StreamingDetach.run(r);
        Report report;
        List<Path> own;
        try (OpenedImage img = r.image().openImage()) {
            own = img.image().ownFiles();
            report = Extractor.extract(img, r.dest(), r.options(), "detach");
        }
        if (report.exitCode() != 0) return report.withWarning("the image was NOT deleted: " + report.errors().size() + " entries failed");
        return report.withDeletion(delete(own));
    }

    /** Deletes {@code files} (one directory), makes that durable and measures the space it freed. */
    static Report.Deletion delete(List<Path> files) throws IOException {
        Path dir = files.getFirst().toAbsolutePath().getParent();
        StatFs before = statfs(dir);
        List<String> deleted = new ArrayList<>();
        for (Path p : files) {
            Files.delete(p);
            deleted.add(p.toString());
        }
        try (Fd fd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            Linux.fsync(fd);
            Linux.syncfs(fd);
        }
        StatFs after = statfs(dir);
        return new Report.Deletion(List.copyOf(deleted), (after.blocksFree() - before.blocksFree()) * after.blockSize());
    }

    static StatFs statfs(Path dir) {
        try (Fd fd = Linux.open(dir.toString(), Linux.O_RDONLY | Linux.O_DIRECTORY, 0)) {
            return Linux.fstatfs(fd);
        }
    }
}
