package io.vdetach.nio;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.api.VdetachIOException;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the conformance corpus through {@code FileSystems.newFileSystem}: the provider opens
 * exactly what the command line reads, refuses the rest with the command line's own message (a
 * file that is no disk image at all is left to other providers), and a {@code Files.walkFileTree}
 * over each volume gives the entries, types, sizes, SHA-256, modes, owners, mtimes (ns), link
 * targets, hard-link groups and xattrs that {@code vdetach extract} writes; NTFS streams the CLI
 * writes as {@code file:stream} files read the same through the provider's {@code file:stream} paths.
 */
class ProviderCorpusTest {
    @TempDir static Path dir;
    private static final List<String> opened = new ArrayList<>();

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        Path root = Corpus.root();
        if (!Files.isDirectory(root)) return Stream.of(Arguments.of("(corpus missing)", Map.of(), List.of()));
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                String rel = root.relativize(p).toString();
                out.add(Arguments.of(rel, Map.of(), List.of()));
                if (rel.equals("dfvfs/vsstest.qcow2")) out.add(Arguments.of(rel, Map.of("vss", "all"), List.of("--vss", "all")));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void providerReadsWhatExtractWrites(String file, Map<String, ?> env, List<String> cliOptions) throws Exception {
        Path image = Corpus.file(file);
        List<String> ls = new ArrayList<>(List.of("ls", "--volumes-only"));
        ls.addAll(cliOptions);
        ls.add(image.toString());
        Cli.Run cli = Cli.run(ls.toArray(String[]::new));
        FileSystem fs;
        try {
            fs = FileSystems.newFileSystem(image, env);
        } catch (ProviderNotFoundException e) {
            // no provider: vdetach found no container format and nothing in it (the CLI says so, exit 3)
            assertThat(cli.exit()).as(cli.err()).isEqualTo(3);
            assertThat(cli.err()).contains("raw: nothing in the image is recognised");
            return;
        } catch (VdetachIOException e) {
            assertThat(cli.exit()).as("the CLI refuses what the provider refuses: " + e.getMessage() + "\n" + cli.err())
                    .isEqualTo(e.exitCode());
            assertThat(cli.err().strip()).isEqualTo("vdetach: error: " + e.getMessage());
            return;
        }
        try (fs) {
            assertThat(cli.exit()).as(cli.out() + cli.err()).isIn(0, 1);
            synchronized (opened) {
                opened.add(file);
            }
            Path dest = dir.resolve(file.replace('/', '_') + env.size());
            List<String> extract = new ArrayList<>(List.of("extract", "--no-progress"));
            extract.addAll(cliOptions);
            extract.add(image.toString());
            extract.add(dest.toString());
            Cli.Run x = Cli.run(extract.toArray(String[]::new));
            assertThat(x.exit()).as(x.out() + x.err()).isIn(0, 1);
            TreeSet<String> volumes = new TreeSet<>();
            try (DirectoryStream<Path> d = Files.newDirectoryStream(fs.getPath("/"))) {
                for (Path v : d) volumes.add(v.getFileName().toString());
            }
            TreeSet<String> extracted = new TreeSet<>();
            if (Files.isDirectory(dest)) try (Stream<Path> s = Files.list(dest)) {
                s.forEach(p -> extracted.add(p.getFileName().toString()));
            }
            assertThat(volumes).as("the volumes under / are the directories extract makes").isEqualTo(extracted);
            for (String v : volumes) {
                TreeMap<String, EntryFacts> expected = HostTree.walk(dest.resolve(v));
                TreeMap<String, EntryFacts> actual = ProviderTree.walk(fs.getPath("/" + v));
                addStreams(fs.getPath("/" + v), expected, actual);
                TreeAssert.assertSameTree(expected, actual);
                System.out.printf("provider = extract: %s %s: %d entries%n", file, v, actual.size());
            }
        } finally {
            Sh.exec(null, "rm", "-rf", dir.resolve(file.replace('/', '_') + env.size()).toString());
        }
    }

    /** Each volume the kernel or FUSE can mount, as the provider walks it and as that mount shows it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void providerEqualsTheOracleMount(String file, Map<String, ?> env, List<String> cliOptions) throws Exception {
        Path image = Corpus.file(file);
        if (!env.isEmpty()) return; // shadow copies: VssExtractTest mounts them (vshadowmount)
        Need.root();
        FileSystem fs;
        try {
            fs = FileSystems.newFileSystem(image);
        } catch (ProviderNotFoundException | IOException e) {
            return; // not an image: the test above
        }
        Path work = Files.createTempDirectory(dir, "oracle");
        try (fs; Image img = Image.open(image)) {
            Path raw = OracleMounts.expand(img, work);
            if (raw == null) {
                System.out.println("SKIP oracle: no tool expands " + img.format() + " here: " + file);
                return;
            }
            for (String v : OracleMounts.mountable(img)) {
                GuestVolume volume = img.volume(v).orElseThrow();
                TreeMap<String, EntryFacts> oracle = OracleMounts.walk(raw, volume);
                OracleMounts.assertSame(oracle, volume.contentType(), ProviderTree.walk(fs.getPath("/" + v)));
                System.out.printf("provider = %s mount: %s %s: %d entries%n", volume.contentType(), file, v, oracle.size());
            }
        } finally {
            Sh.exec(null, "rm", "-rf", work.toString());
        }
    }

    /** What extract wrote as {@code file:stream} (streams too large for an xattr): read through the provider's stream path. */
    private static void addStreams(Path volume, Map<String, EntryFacts> expected, Map<String, EntryFacts> actual) throws IOException {
        for (String p : expected.keySet()) {
            if (actual.containsKey(p) || !p.contains(":")) continue;
            Path s = volume.resolve(p);
            actual.put(p, ProviderTree.facts(s, Files.readAttributes(s, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)));
        }
    }

    @AfterAll
    static void openedTheImages() {
        if (!Files.isDirectory(Corpus.root())) return;
        System.out.println("provider opened: " + opened);
        assertThat(opened).as("a corpus this test covers").contains("go-ext4/hierarchy_64.ext4", "dfvfs/vsstest.qcow2",
                "dfvfs/ext2.E01", "dissect.hypervisor/fixed.vhdx", "vmdk-rs/streamOptimized.vmdk", "dissect.xfs/xfs.bin",
                "dissect.fat/exfat.bin", "rust-fatfs/fat16.img", "ColinFinck-ntfs/testfs1");
    }

    @Test
    void aZipIsLeftToZipfs() throws Exception {
        Path zip = dir.resolve("a.zip");
        try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Files.writeString(z.getPath("/hello.txt"), "hello");
        }
        try (FileSystem z = FileSystems.newFileSystem(zip)) {
            assertThat(z.provider().getScheme()).isEqualTo("jar");
            assertThat(Files.readString(z.getPath("/hello.txt"))).isEqualTo("hello");
        }
    }
}
