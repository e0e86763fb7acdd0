package io.vdetach.apply;

import io.vdetach.evidence.Digests;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.evidence.Output;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.image.OpenOptions;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code detach --streaming --window WINDOW IMAGE DEST} in a child JVM that stops dead (exit 137,
 * no shutdown hooks, as kill -9) when the run reaches the crash point named by its first
 * argument ("-": none, the test kills it from outside).
 */
public final class HaltingDetach {
    private HaltingDetach() {}

    public static void main(String[] args) throws Exception {
        String haltAt = args[0];
        CrashPoints crash = point -> {
            if (point.equals(haltAt)) Runtime.getRuntime().halt(137);
        };
        ImageSource image = new ImageSource(Path.of(args[2]), OpenOptions.DEFAULT, MountOptions.DEFAULT);
        ExtractOptions o = ExtractOptions.defaults();
        if (args.length > 4) {
            // a manifest with SHA-256 hashes
            o = o.withEvidence(new EvidenceOptions(new Output.ToFile(Path.of(args[4])), null, List.of(Digests.Algorithm.SHA256),
                    false, List.of(), "test"));
        }
        Report r = Detach.run(new Detach.Request(image, Path.of(args[3]), o, new Detach.Streaming(Long.parseLong(args[1]), crash)));
        System.exit(r.exitCode());
    }

    /** Starts it with this JVM's java, module path and test classes. */
    static Process start(String haltAt, long window, Path image, Path dest) throws Exception {
        return start(haltAt, window, image, dest, null);
    }

    /** @param manifest also write a manifest there (null: none) */
    static Process start(String haltAt, long window, Path image, Path dest, Path manifest) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=io.vdetach");
        String modules = System.getProperty("jdk.module.path");
        if (modules != null && !modules.isEmpty()) {
            cmd.addAll(List.of("-p", modules, "--patch-module", "io.vdetach=" + testClasses(),
                    "-m", "io.vdetach/" + HaltingDetach.class.getName()));
        } else {
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")
                    + File.pathSeparator, HaltingDetach.class.getName()));
        }
        cmd.addAll(List.of(haltAt == null ? "-" : haltAt, Long.toString(window), image.toString(), dest.toString()));
        if (manifest != null) cmd.add(manifest.toString());
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static String testClasses() throws URISyntaxException {
        return Path.of(HaltingDetach.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
