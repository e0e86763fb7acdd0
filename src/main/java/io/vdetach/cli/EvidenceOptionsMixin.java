package io.vdetach.cli;

import io.vdetach.error.UsageException;
import io.vdetach.evidence.Digests;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.evidence.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** --manifest, --bodyfile, --hash, --hash-image: the evidence a run writes besides its files (docs/evidence.md). */
final class EvidenceOptionsMixin {
    @Option(names = "--manifest", paramLabel = "FILE|-",
            description = "Write a JSON Lines manifest: a header, one line per entry as it completes, a summary (- for stdout).")
    String manifest;

    @Option(names = "--bodyfile", paramLabel = "FILE|-", description = "Write a Sleuth Kit bodyfile (for mactime), one line per entry.")
    String bodyfile;

    @Option(names = "--hash", paramLabel = "ALG[,ALG]", arity = "0..1", fallbackValue = "sha256",
            preprocessor = HashValue.class, description = "Hash every file's content while extracting: sha256, md5, sha1 or none (default sha256 with"
                    + " --manifest or --bodyfile; ls hashes only with --hash).")
    String hash;

    @Option(names = "--hash-image", description = "The manifest's header also gives each image file's SHA-256 (reads the whole image first).")
    boolean hashImage;

    /**
     * --hash takes the next argument only when it names algorithms: {@code ls --hash IMAGE} keeps
     * IMAGE as the image (picocli would take any word after an option with an optional value).
     */
    static final class HashValue implements IParameterPreprocessor {
        private static final java.util.regex.Pattern ALGORITHMS =
                java.util.regex.Pattern.compile("(?i)(sha256|md5|sha1|none)(,(sha256|md5|sha1|none))*");

        @Override
        public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec arg, Map<String, Object> info) {
            // picocli says " " when the value is not attached (--hash md5, --hash IMAGE), "=" for --hash=md5
            if (" ".equals(info.get("separator")) && (args.isEmpty() || !ALGORITHMS.matcher(args.peek()).matches())) {
                args.push("sha256");
            }
            return false;
        }
    }

    /**
     * The options; {@code hashByDefault}: sha256 when --hash is not given (extract, detach; ls reads
     * no content unless asked).
     */
    EvidenceOptions toOptions(CommandSpec spec, boolean hashByDefault) {
        boolean writes = manifest != null || bodyfile != null;
        if (!writes && (hash != null || hashImage)) {
            throw new UsageException((hash != null ? "--hash" : "--hash-image") + " needs --manifest or --bodyfile");
        }
        if ("-".equals(manifest) && "-".equals(bodyfile)) throw new UsageException("--manifest - and --bodyfile -: only one can be stdout");
        if (!writes) return EvidenceOptions.NONE;
        List<Digests.Algorithm> algorithms = new ArrayList<>();
        String asked = hash != null ? hash : hashByDefault ? "sha256" : "none";
        if (!asked.trim().equalsIgnoreCase("none")) {
            for (String a : asked.split(",")) {
                try {
                    Digests.Algorithm alg = Digests.Algorithm.parse(a);
                    if (!algorithms.contains(alg)) algorithms.add(alg);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--hash: " + e.getMessage());
                }
            }
        }
        return new EvidenceOptions(output(manifest), output(bodyfile), algorithms, hashImage, commandLine(spec), Main.VERSION);
    }

    private static Output output(String arg) {
        return arg == null ? null : Output.of(arg, System.out);
    }

    /** "vdetach" and the arguments as given. */
    private static List<String> commandLine(CommandSpec spec) {
        List<String> out = new ArrayList<>();
        out.add("vdetach");
        var parsed = spec.root().commandLine().getParseResult();
        if (parsed != null) out.addAll(parsed.originalArgs());
        return out;
    }
}
