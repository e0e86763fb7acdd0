package io.vdetach.testkit;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a main class of the tree in a child JVM with this JVM's java, module path and test
 * classes (as the build runs them), so a test can kill it with SIGKILL mid-run.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Starts {@code main} with {@code args}; its stdout and stderr go to the given files. */
    public static Process start(Class<?> main, Path stdout, Path stderr, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=io.vdetach");
        String modules = System.getProperty("jdk.module.path");
        if (modules != null && !modules.isEmpty()) {
            cmd.addAll(List.of("-p", modules, "--patch-module", "io.vdetach=" + testClasses(), "-m", "io.vdetach/" + main.getName()));
        } else {
            cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path") + File.pathSeparator,
                    main.getName()));
        }
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    private static String testClasses() throws URISyntaxException {
        return Path.of(ChildJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
