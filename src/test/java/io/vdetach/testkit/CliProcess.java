package io.vdetach.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the vdetach command line in a JVM of its own, with a heap of {@code heap} (for memory
 * bounds: what the image makes vdetach hold) on the module path this test runs on.
 */
public final class CliProcess {
    private CliProcess() {}

    public static Sh.Result run(String heap, String... args) {
        // the module path of vdetach's own classes and of picocli, as this JVM loaded them
        String modules = where(io.vdetach.cli.Main.class) + java.io.File.pathSeparator + where(picocli.CommandLine.class);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=io.vdetach", "-XX:+UseSerialGC", "-Xss8m", "-Xmx" + heap,
                // the copy engine's direct buffers are not the image's doing: they get room of their own
                "-XX:MaxDirectMemorySize=512m", "-p", modules, "-m", "io.vdetach/io.vdetach.cli.Main"));
        cmd.addAll(List.of(args));
        return Sh.exec(null, cmd.toArray(String[]::new));
    }

    private static String where(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }
}
