package io.vdetach.cli;

import io.vdetach.apply.offline.GuestItems;
import io.vdetach.apply.offline.OfflineDetach;
import io.vdetach.apply.offline.OfflineOptions;
import io.vdetach.apply.offline.OfflineReport;
import io.vdetach.image.OpenOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The offline writer: detach into an unmounted ext4 host by writing its metadata. */
@Command(name = "offline", description = "Detach into an unmounted ext4 host filesystem (no data copied).",
        subcommands = {OfflineCommand.Detach.class, OfflineCommand.Undo.class})
final class OfflineCommand {

    @Command(name = "detach", description = "The image's files take over the image's blocks inside DEV; the image is removed.")
    static final class Detach implements Callable<Integer> {
        @Option(names = "--device", required = true, paramLabel = "DEV", description = "Unmounted block device or file holding the ext4 host.")
        Path device;
        @Option(names = "--image", required = true, paramLabel = "PATH", description = "The image's path inside that filesystem (any format; backing files are looked for inside it too).")
        String image;
        @Option(names = "--to", required = true, paramLabel = "PATH", description = "Destination directory inside that filesystem (created; its parent must exist).")
        String to;
        @Option(names = "--undo", paramLabel = "FILE", description = "Save every overwritten block here first (outside DEV).")
        Path undo;
        @Option(names = "--partition", paramLabel = "N", description = "DEV is a whole disk: use its partition N (default: the one holding --image).")
        String partition;
        @Option(names = "--volume", paramLabel = "N|NAME", description = "Only this guest volume, straight into --to.")
        String volume;
        @Option(names = "--detach-backing", description = "Hand over the whole chain: backing files are removed too (other images may share them); otherwise their runs are copied.")
        boolean detachBacking;
        @Option(names = "--allow-outside-parents", description = "Follow backing/parent/extent files that resolve outside the image's directory.")
        boolean allowOutside;
        @Option(names = "--dry-run", description = "Plan and count; write nothing.") boolean dryRun;
        @Option(names = "--json", description = "Print one JSON object.") boolean json;
        @Option(names = "--no-progress", description = "No progress line.") boolean noProgress;

        @Override
        public Integer call() throws Exception {
            OfflineOptions o = (dryRun ? OfflineOptions.dryRunOnly() : OfflineOptions.withUndo(undo))
                    .withProgress(TerminalProgress.create(noProgress || json)).withDetachBacking(detachBacking);
            AtomicReference<List<String>> errors = new AtomicReference<>();
            OfflineReport r = OfflineDetach.run(device, partition, image, new OpenOptions(null, allowOutside), to, layer -> {
                GuestItems.Result items = GuestItems.of(layer, volume);
                errors.set(items.errors());
                return items.items();
            }, o);
            if (json) {
                System.out.println(r.toJson());
            } else {
                System.out.printf("%s %d files, %d directories, %d symlinks, %d hard links in %.2f s%n",
                        dryRun ? "would detach" : "detached", r.files(), r.directories(), r.symlinks(), r.hardlinks(), r.seconds());
                System.out.printf("blocks of %d bytes: donated %d, copied %d, freed %d, metadata written %d%n", r.blockSize(),
                        r.blocksDonated(), r.blocksCopied(), r.blocksFreed(), r.metadataBlocksWritten());
                StringBuilder why = new StringBuilder();
                r.bytesCopiedByReason().forEach((k, v) -> why.append(why.isEmpty() ? " (" : ", ").append(k).append(' ').append(v));
                System.out.printf("bytes of files: handed over %d, copied %d%s%n", r.bytesDonated(), r.bytesCopied(),
                        why.isEmpty() ? "" : why + ")");
                System.out.printf("%s %s: %s%n", r.format(), dryRun ? "files that would be removed" : "files removed",
                        String.join(", ", r.imageFilesRemoved()));
                if (!r.backingFilesKept().isEmpty()) System.out.println("backing files kept: " + String.join(", ", r.backingFilesKept()));
            }
            List<String> failed = errors.get() == null ? List.of() : errors.get();
            for (String n : r.notes()) Diagnostics.warning(n);
            for (String e : failed) Diagnostics.error(null, e);
            return failed.isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "undo", description = "Restore DEV byte for byte from an undo file.")
    static final class Undo implements Callable<Integer> {
        @Option(names = "--device", required = true, paramLabel = "DEV") Path device;
        @Option(names = "--undo", required = true, paramLabel = "FILE") Path undo;

        @Override
        public Integer call() throws Exception {
            long n = OfflineDetach.undo(device, undo);
            System.out.println("restored " + n + " blocks");
            return 0;
        }
    }
}
