package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.apply.Progress;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the commands that write files (extract, detach) and of plan. */
final class WriteOptions {
    @Option(names = "--volume", paramLabel = "N|NAME", description = "Only this volume (p1, vg-lv, disk or its number); files go straight into DEST.")
    String volume;

    @Option(names = "--include", paramLabel = "GLOB", description = "Only guest paths matching (e.g. 'p1/home/**'); repeatable.")
    List<String> include = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB", description = "Leave out guest paths matching; repeatable.")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "auto|share|copy", description = "auto (default): share where possible; share: fail (exit 4) if DEST cannot share; copy: never share.")
    String mode = "auto";

    @Option(names = "--on-conflict", paramLabel = "rename|skip|overwrite|fail", description = "When a name exists in DEST (default rename: 'name (1).ext').")
    String onConflict = "rename";

    @Option(names = "--owner", description = "Restore uid/gid even when not root (needs CAP_CHOWN).")
    boolean owner;

    @Option(names = "--no-progress", description = "No progress line.")
    boolean noProgress;

    @Option(names = "--dry-run", description = "Classify and count; write nothing.")
    boolean dryRun;

    @Option(names = "--threads", paramLabel = "N", description = "Writer threads (default: cores, at most 4).")
    int threads = ExtractOptions.DEFAULT_THREADS;

    ExtractOptions toExtractOptions(Progress progress) {
        if (threads < 0 || threads > 64) throw new UsageException("--threads must be 0..64");
        return new ExtractOptions(parseMode(), parseConflict(), volume, include, exclude, owner, dryRun, progress, threads);
    }

    Mode parseMode() {
        return switch (mode.toLowerCase()) {
            case "auto" -> Mode.AUTO;
            case "share" -> Mode.SHARE;
            case "copy" -> Mode.COPY;
            default -> throw new UsageException("--mode must be auto, share or copy, not " + mode);
        };
    }

    ConflictPolicy parseConflict() {
        return switch (onConflict.toLowerCase()) {
            case "rename" -> ConflictPolicy.RENAME;
            case "skip" -> ConflictPolicy.SKIP;
            case "overwrite" -> ConflictPolicy.OVERWRITE;
            case "fail" -> ConflictPolicy.FAIL;
            default -> throw new UsageException("--on-conflict must be rename, skip, overwrite or fail, not " + onConflict);
        };
    }
}
