package io.vdetach.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The self-contained install (issue 19): scripts/package, as `mvn package` runs it, builds the
 * tarball and the .deb from this build's classes; unpacked into an empty directory, bin/vdetach
 * runs with no JDK (env -i, PATH=/usr/bin:/bin, no JAVA_HOME) and prints what the checkout's
 * launcher prints (the same java command ./vdetach runs: scripts/jvm-options, the module jars).
 */
@Timeout(600)
class InstallTest {
    private static final String MAIN = "io.vdetach/io.vdetach.cli.Main";
    /** A full JDK is ~300 MB; a runtime this large would mean jlink took more than we need. */
    private static final long MAX_UNPACKED_BYTES = 100L << 20;

    @TempDir static Path dir;
    private static Path repo, jdk, jars, tarball, deb, app;

    @BeforeAll
    static void buildPackage() throws Exception {
        repo = Path.of(System.getProperty("user.dir"));
        jdk = Path.of(System.getProperty("java.home"));
        boolean jlink = Files.isExecutable(jdk.resolve("bin/jlink"));
        if (!jlink) System.out.println("SKIP: needs jlink in " + jdk);
        assumeTrue(jlink, "needs jlink");
        Need.tools("dpkg-deb", "tar", "gzip");

        // the module jars `mvn package` would make, from the classes under test
        jars = Files.createDirectories(dir.resolve("jars"));
        Path classes = Path.of(io.vdetach.cli.Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path picocli = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Sh.run(jdk.resolve("bin/jar").toString(), "--create", "--file", jars.resolve("vdetach.jar").toString(),
                "-C", classes.toString(), ".");
        Files.createDirectories(jars.resolve("lib"));
        Files.copy(picocli, jars.resolve("lib").resolve(picocli.getFileName()));

        Path out = dir.resolve("out");
        long t0 = System.nanoTime();
        Sh.run("env", "JAVA_HOME=" + jdk, "bash", repo.resolve("scripts/package").toString(),
                "--jar", jars.resolve("vdetach.jar").toString(), "--lib", jars.resolve("lib").toString(), "--out", out.toString());
        System.out.printf("InstallTest: scripts/package took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        tarball = only(out, "vdetach-*-linux-x64.tar.gz");
        deb = only(out, "vdetach_*_amd64.deb");

        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        try (Stream<Path> s = Files.list(unpacked)) {
            assertThat(s).isEmpty();
        }
        Sh.run("tar", "-C", unpacked.toString(), "-xzf", tarball.toString());
        app = unpacked.resolve(tarball.getFileName().toString().replace(".tar.gz", ""));
        System.out.println("InstallTest: unpacked " + Sh.run("du", "-sh", app.toString()).strip());
    }

    @Test
    void tarballRunsWithoutAJdkAndPrintsWhatTheLauncherPrints() throws Exception {
        // PATH=/usr/bin:/bin may hold a distribution's older java (17 on Debian bookworm): it cannot
        // run our class files (Java 25), so a matching output proves the bundled runtime ran.
        Sh.Result java = Sh.exec(null, "env", "-i", "PATH=/usr/bin:/bin", "sh", "-c",
                "command -v java && java -XshowSettings:properties -version 2>&1 | sed -n 's/.*java.specification.version = //p'");
        if (java.exit() == 0) {
            String[] lines = java.out().strip().split("\n");
            System.out.println("InstallTest: java on PATH=/usr/bin:/bin: " + String.join(" version ", lines));
            assertThat(Integer.parseInt(lines[lines.length - 1].strip())).as("a java >= 22 on PATH=/usr/bin:/bin").isLessThan(22);
        }
        // and with a PATH holding only what bin/vdetach itself calls
        Path minimal = Files.createDirectories(dir.resolve("minimal-path"));
        for (String tool : List.of("readlink", "dirname")) Files.createSymbolicLink(minimal.resolve(tool), which(tool));

        for (String image : List.of("rust-fatfs/fat16.img", "go-ext4/hierarchy_64.ext4")) {
            Path img = Corpus.file(image);
            Sh.Result expected = launcher("ls", "--long", img.toString());
            assertThat(expected.exit()).as(expected.err()).isZero();
            assertThat(packaged("PATH=/usr/bin:/bin", app, "ls", "--long", img.toString())).isEqualTo(expected);
            assertThat(packaged("PATH=" + minimal, app, "ls", "--long", img.toString())).isEqualTo(expected);
        }
        Path fat = Corpus.file("rust-fatfs/fat16.img");
        assertThat(packaged("PATH=/usr/bin:/bin", app, "cat", fat.toString(), "disk/long.txt"))
                .isEqualTo(launcher("cat", fat.toString(), "disk/long.txt"));
        Sh.Result usage = packaged("PATH=/usr/bin:/bin", app, "ls");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage).isEqualTo(launcher("ls"));
    }

    @Test
    void theAotCacheFitsTheBundledRuntime() {
        // AOTMode=on makes the JVM refuse to start when the cache cannot be used
        Sh.Result r = Sh.exec(null, "env", "-i", "PATH=/usr/bin:/bin", "JDK_JAVA_OPTIONS=-XX:AOTMode=on",
                app.resolve("bin/vdetach").toString(), "--version");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("vdetach ");
    }

    @Test
    void theRuntimeHoldsOnlyTheModulesWeNeed() throws IOException {
        String modules = Sh.run(app.resolve("runtime/bin/java").toString(), "--list-modules");
        assertThat(modules.lines().map(l -> l.replaceFirst("@.*", "")).toList())
                .containsExactlyInAnyOrder("java.base", "info.picocli", "io.vdetach");
        long bytes;
        try (Stream<Path> s = Files.walk(app)) {
            bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        assertThat(bytes).isLessThan(MAX_UNPACKED_BYTES);
    }

    @Test
    void manPageAndCompletionNameEveryCommand() throws IOException {
        Path man = app.resolve("man/vdetach.1");
        String page = Files.readString(man);
        List<String> commands = new ArrayList<>();
        collect(new CommandLine(new io.vdetach.cli.Main()), commands);
        for (String c : commands) assertThat(page).contains(".SS \"" + c.replace("-", "\\-") + "\"");
        if (Sh.has("groff")) {
            Sh.Result r = Sh.exec(null, "groff", "-man", "-Tutf8", "-ww", "-z", man.toString());
            assertThat(r.exit()).isZero();
            assertThat(r.err()).as("groff warnings").isEmpty();
        } else {
            System.out.println("SKIP (part): man page not rendered, no groff");
        }
        Path completion = app.resolve("completion/vdetach.bash");
        assertThat(Sh.run("bash", "-c", "source \"$1\" && complete -p vdetach", "_", completion.toString()))
                .contains("vdetach");
    }

    @Test
    void debInstallsTheCommandTheManPageAndTheCompletion() throws Exception {
        String contents = Sh.run("dpkg-deb", "-c", deb.toString());
        assertThat(contents).contains("./usr/bin/vdetach -> ../lib/vdetach/bin/vdetach", "./usr/lib/vdetach/bin/vdetach",
                "./usr/lib/vdetach/lib/vdetach.aot", "./usr/lib/vdetach/runtime/bin/java",
                "./usr/share/man/man1/vdetach.1.gz", "./usr/share/bash-completion/completions/vdetach");
        assertThat(Sh.run("dpkg-deb", "-f", deb.toString(), "Package", "Architecture"))
                .isEqualTo("Package: vdetach\nArchitecture: amd64\n");
        // unpacked (not installed) into a directory, /usr/bin/vdetach runs from there
        Path root = dir.resolve("deb-root");
        Sh.run("dpkg-deb", "-x", deb.toString(), root.toString());
        Path fat = Corpus.file("rust-fatfs/fat16.img");
        Sh.Result r = Sh.exec(null, "env", "-i", "PATH=/usr/bin:/bin", root.resolve("usr/bin/vdetach").toString(), "ls", fat.toString());
        assertThat(r).isEqualTo(launcher("ls", fat.toString()));
    }

    private static void collect(CommandLine c, List<String> into) {
        for (CommandLine sub : c.getSubcommands().values()) {
            if (sub.getSubcommands().isEmpty()) into.add(sub.getCommandSpec().qualifiedName());
            collect(sub, into);
        }
    }

    /** bin/vdetach of the unpacked package, with nothing in the environment but {@code path}. */
    private static Sh.Result packaged(String path, Path app, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", path, app.resolve("bin/vdetach").toString()));
        cmd.addAll(List.of(args));
        return Sh.exec(null, cmd.toArray(String[]::new));
    }

    /** What ./vdetach of the checkout runs: this JDK's java, scripts/jvm-options, the module jars. */
    private static Sh.Result launcher(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(jdk.resolve("bin/java").toString()));
        for (String o : Files.readAllLines(repo.resolve("scripts/jvm-options"))) {
            if (!o.isBlank() && !o.startsWith("#")) cmd.add(o.strip());
        }
        cmd.addAll(List.of("-p", jars.resolve("vdetach.jar") + ":" + jars.resolve("lib"), "-m", MAIN));
        cmd.addAll(List.of(args));
        return Sh.exec(null, cmd.toArray(String[]::new));
    }

    private static Path only(Path dir, String glob) throws IOException {
        List<Path> found = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, glob)) {
            s.forEach(found::add);
        }
        assertThat(found).as(glob + " in " + dir).hasSize(1);
        return found.getFirst();
    }

    private static Path which(String tool) {
        for (String d : List.of("/usr/bin", "/bin")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) return p;
        }
        throw new AssertionError(tool + " not in /usr/bin or /bin");
    }
}
