package io.vdetach.cli;

import io.vdetach.error.UsageException;

import io.vdetach.apply.ExtractOptions;
import io.vdetach.plan.ConflictPolicy;
import io.vdetach.plan.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    @Option(names = "--max-output", paramLabel = "SIZE|unlimited",
            description = "File data written per volume before further files are refused (default: the volume's size; K, M, G, T suffixes).")
    String maxOutput;

    /** The options; a progress line unless --no-progress or {@code quiet} (--json, plan). */
    ExtractOptions toExtractOptions(boolean quiet) {
        if (threads < 0 || threads > 64) throw new UsageException("--threads must be 0..64");
        long max = maxOutput == null ? ExtractOptions.VOLUME_SIZE
                : maxOutput.equalsIgnoreCase("unlimited") ? Long.MAX_VALUE : DetachCommand.parseSize("--max-output", maxOutput);
        return new ExtractOptions(parse(Mode.class, "--mode", mode), parse(ConflictPolicy.class, "--on-conflict", onConflict), volume, include, exclude,
                owner, dryRun, TerminalProgress.create(noProgress || quiet), threads, max);
    }

    /** One of an enum's constants by its name in any case; a usage error naming them all otherwise. */
    private static <E extends Enum<E>> E parse(Class<E> type, String option, String value) {
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(value)) return e;
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) names.add(e.name().toLowerCase(Locale.ROOT));
        throw new UsageException(option + " must be " + String.join(", ", names) + ", not " + value);
    }
}
