package io.vdetach.cli;

import io.vdetach.image.OpenOptions;
import picocli.CommandLine.Option;

/** Options of every command that opens an image. */
final class ImageOptions {
    @Option(names = "--snapshot", paramLabel = "NAME|ID", description = "Read this internal snapshot (qcow2).")
    String snapshot;

    @Option(names = "--allow-outside-parents",
            description = "Follow backing/parent/extent files that resolve outside the image's directory.")
    boolean allowOutside;

    @Option(names = "--json", description = "Print one JSON object at the end instead of text.")
    boolean json;

    OpenOptions openOptions() {
        return new OpenOptions(snapshot, allowOutside);
    }
}
