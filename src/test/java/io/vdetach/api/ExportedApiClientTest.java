package io.vdetach.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program compiled against only the exported API: the module's classes packed as a jar,
 * src/test/api-client compiled by javac with that jar on the module path (so only io.vdetach.api
 * and io.vdetach.nio are visible; a source naming an internal package does not compile), and run in
 * a JVM of its own on a qcow2 chain that qemu-img made (base + overlay holding only what differs):
 * it lists the chain, the volume and the files, and reads a file of each layer.
 */
class ExportedApiClientTest {
    @TempDir Path dir;

    @Test
    void aProgramOnTheExportedApiReadsAQcow2Chain() throws Exception {
        Need.tools("qemu-img", "sgdisk", "mke2fs");
        Path top = chain();
        Path jar = moduleJar(dir.resolve("vdetach.jar"));
        String modulePath = jar + File.pathSeparator + jarOf(picocli.CommandLine.class);

        Path internal = Files.writeString(dir.resolve("Internal.java"),
                "class Internal { Object o = io.vdetach.image.ImageOpener.class; }\n");
        Run refused = run(List.of(tool("javac"), "--module-path", modulePath, "--add-modules", "io.vdetach",
                "-d", dir.resolve("refused").toString(), internal.toString()));
        assertThat(refused.exit()).as(refused.err()).isNotZero();
        assertThat(refused.err()).contains("package io.vdetach.image is not visible").contains("does not export it");

        Path out = dir.resolve("client");
        Run javac = run(List.of(tool("javac"), "--module-path", modulePath, "--add-modules", "io.vdetach",
                "-Xlint:all", "-Werror", "-d", out.toString(), Path.of("src/test/api-client/ChainClient.java").toAbsolutePath().toString()));
        assertThat(javac.exit()).as(javac.err()).isZero();

        Run client = run(List.of(tool("java"), "--module-path", modulePath, "--add-modules", "io.vdetach",
                "--enable-native-access=io.vdetach", "-cp", out.toString(), "ChainClient", top.toString()));
        assertThat(client.exit()).as(client.err()).isZero();
        assertThat(client.err()).isEmpty();
        assertThat(client.out()).isEqualTo("""
                chain qcow2 top.qcow2
                chain qcow2 base.qcow2
                volume p1 ext4
                api p1/docs/base.txt 27 written into the base disk
                api HOST 4 p1/docs/missing.txt: not found
                nio /p1/docs/base.txt 27
                nio /p1/docs/notes.txt 12000
                nio /p1/top.txt 30
                nio read written only into the overlay
                """);
    }

    /**
     * base.qcow2: a GPT disk with an ext4 partition (mke2fs -d) holding docs/; top.qcow2: backed by
     * it, written by {@code qemu-img convert -B} from the same disk with top.txt added, so it holds
     * only the clusters that differ.
     */
    private Path chain() {
        Sh.bash("""
                cd %s
                mkdir -p tree/docs
                printf 'written into the base disk\\n' > tree/docs/base.txt
                head -c 12000 /dev/zero | tr '\\0' 'n' > tree/docs/notes.txt
                make_disk() {
                  truncate -s 24M $1
                  sgdisk -n 1:2048:+16M -t 1:8300 $1 >/dev/null
                  E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -F -t ext4 -b 4096 -U 6b1e6b54-8a1f-4f7e-9d0e-2f6c0c1e2a11 \\
                      -E hash_seed=0e9cbb8c-2d3c-4f5e-8a3b-6a7c1d2e3f40 -d tree part.img 16M
                  dd if=part.img of=$1 bs=1M seek=1 conv=notrunc status=none
                  rm part.img
                }
                make_disk base.raw
                printf 'written only into the overlay\\n' > tree/top.txt
                make_disk top.raw
                qemu-img convert -O qcow2 base.raw base.qcow2
                qemu-img convert -O qcow2 -B base.qcow2 -F qcow2 top.raw top.qcow2
                rm -rf tree base.raw top.raw
                """.formatted(dir));
        return dir.resolve("top.qcow2");
    }

    /** The module as `mvn package` ships it: target/classes (module-info, services, classes) in a jar. */
    private static Path moduleJar(Path jar) throws IOException, URISyntaxException {
        Path classes = jarOf(Image.class);
        assertThat(classes.resolve("module-info.class")).exists();
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static Path jarOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static String tool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private record Run(int exit, String out, String err) {}

    private Run run(List<String> cmd) throws Exception {
        Path stdout = Files.createTempFile(dir, "out", ".txt");
        Path stderr = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8), Files.readString(stderr, StandardCharsets.UTF_8));
    }
}
