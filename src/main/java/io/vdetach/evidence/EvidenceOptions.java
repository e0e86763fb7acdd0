package io.vdetach.evidence;

import java.util.List;

/**
 * What evidence a run writes besides its files (docs/evidence.md).
 *
 * @param manifest JSON Lines, one object per entry (--manifest); null: none
 * @param bodyfile Sleuth Kit body format (--bodyfile); null: none
 * @param hashes the digests of every file's content (--hash); empty: none
 * @param hashImage the header also gives each image file's SHA-256 (--hash-image: reads the whole image first)
 * @param commandLine the arguments as given, for the manifest's header
 * @param version "vdetach 0.1.0", for the manifest's header
 */
public record EvidenceOptions(Output manifest, Output bodyfile, List<Digests.Algorithm> hashes, boolean hashImage,
                              List<String> commandLine, String version) {
    public static final EvidenceOptions NONE = new EvidenceOptions(null, null, List.of(), false, List.of(), "");

    public EvidenceOptions {
        hashes = List.copyOf(hashes);
        commandLine = List.copyOf(commandLine);
    }

    /** Whether any evidence output is written. */
    public boolean writes() {
        return manifest != null || bodyfile != null;
    }

    public boolean hashing() {
        return writes() && !hashes.isEmpty();
    }

    /** Whether an output goes to stdout (the report then goes to stderr). */
    public boolean usesStdout() {
        return (manifest != null && manifest.isStream()) || (bodyfile != null && bodyfile.isStream());
    }
}
