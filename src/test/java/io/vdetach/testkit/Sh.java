package io.vdetach.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real tools that build fixtures and serve as oracles. */
public final class Sh {
    private Sh() {}

    public record Result(int exit, String out, String err) {}

    /** Runs {@code cmd}; fails the test with its output when it exits non-zero. */
    public static String run(String... cmd) {
        Result r = exec(null, cmd);
        if (r.exit != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit + "\n" + r.out + r.err);
        }
        return r.out;
    }

    /** Runs a shell script with bash -euo pipefail. */
    public static String bash(String script) {
        return run("bash", "-euo", "pipefail", "-c", script);
    }

    public static Result exec(Path dir, String... cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(cmd));
            if (dir != null) pb.directory(dir.toFile());
            pb.environment().put("LC_ALL", "C.UTF-8");
            Path out = java.nio.file.Files.createTempFile("sh", ".out");
            Path err = java.nio.file.Files.createTempFile("sh", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " timed out");
            }
            String o = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
            String e = java.nio.file.Files.readString(err, StandardCharsets.UTF_8);
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(err);
            return new Result(p.exitValue(), o, e);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        }
    }

    /** True when {@code tool} is on PATH (or in /sbin, /usr/sbin). */
    public static boolean has(String tool) {
        for (String dir : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            if (java.nio.file.Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    public static List<String> list(String... items) {
        return new ArrayList<>(List.of(items));
    }
}
