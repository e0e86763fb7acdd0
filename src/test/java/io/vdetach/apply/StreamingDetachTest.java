package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.ExtFixture;
import io.vdetach.testkit.FixtureTree;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.ScratchHost;
import io.vdetach.testkit.Sh;
import io.vdetach.testkit.TreeAssert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * detach --streaming onto an ext4 host (image and DEST on the same loop-mounted ext4, which
 * cannot share): every file exact against a loop mount of the guest taken before, the image
 * gone, the extra space bounded by the window; and a run killed at sampled points resumes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingDetachTest {
    private static final long MIB = 1L << 20;
    private Path work;
    private ExtFixture.Disk gpt;
    private ExtFixture.Disk inline;
    private TreeMap<String, EntryFacts> gptOracle;
    private TreeMap<String, EntryFacts> inlineOracle;

    @BeforeAll
    void build() throws Exception {
        Need.root();
        Need.tools("mke2fs", "sgdisk", "qemu-img");
        work = Files.createTempDirectory("vdetach-streaming");
        Path tree = work.resolve("tree");
        FixtureTree.create(tree, FixtureTree.Options.small());
        gpt = ExtFixture.gptExt4(work, tree);
        inline = ExtFixture.ext4InlineData(work, tree);
        gptOracle = oracle(gpt, "p1");
        inlineOracle = oracle(inline, "disk");
    }

    private static TreeMap<String, EntryFacts> oracle(ExtFixture.Disk disk, String volume) throws Exception {
        ExtFixture.Part p = disk.part(volume);
        try (LoopMount m = LoopMount.readOnly(disk.image(), p.offset(), p.size(), "ext4", "")) {
            return HostTree.walk(m.path(), "lost+found");
        }
    }

    @AfterAll
    void clean() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    private static long key(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (-?\\d+)").matcher(json);
        assertThat(m.find()).as(key + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void rawImageOnExt4IsConsumedWithinTheWindow() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "ext4", 256 * MIB)) {
            Path image = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Path dest = host.resolve("out");
            Cli.Run r = Cli.run("detach", "--streaming", "--window", "1M", "--json", image.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            TreeAssert.assertSameTree(gptOracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
            assertThat(image).doesNotExist();
            assertThat(host.resolve("guest.img.vdetach-consuming")).doesNotExist();
            assertThat(host.resolve("out.vdetach-progress")).doesNotExist();
            long copied = key(r.out(), "bytes_copied");
            long peak = key(r.out(), "peak_extra_space");
            long windows = key(r.out(), "windows");
            // Slack: DEST's directories and the blocks of file tails that share a host block with guest metadata.
            long bound = MIB + copied / 100 + 2 * MIB;
            System.out.printf("streaming raw: copied %d bytes in %d windows, peak extra space %d (bound %d)%n",
                    copied, windows, peak, bound);
            assertThat(windows).isGreaterThan(8);
            assertThat(peak).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void destOnAnotherFilesystemAndRefusals() throws Exception {
        Path dest = Files.createTempDirectory(Path.of("/dev/shm"), "vdetach-streaming");
        try (ScratchHost host = ScratchHost.create(work, "ext4", 256 * MIB)) {
            Path image = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Files.writeString(dest.resolve("mine.txt"), "not the guest's\n");
            Cli.Run notEmpty = Cli.run("detach", "--streaming", image.toString(), dest.toString());
            assertThat(notEmpty.exit()).isEqualTo(4);
            assertThat(notEmpty.err()).contains("needs an empty or new DEST");
            assertThat(host.resolve("guest.img.vdetach-consuming")).doesNotExist();
            assertThat(Cli.run("detach", "--streaming", "--mode", "share", image.toString(), dest.toString()).exit()).isEqualTo(2);
            assertThat(Cli.run("detach", "--streaming", "--window", "64K", image.toString(), dest.toString()).exit()).isEqualTo(2);
            Files.delete(dest.resolve("mine.txt"));
            // tmpfs DEST, ext4 image: copy_file_range across filesystems may be refused (read and write instead).
            Cli.Run r = Cli.run("detach", "--streaming", "--window", "1M", "--json", image.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            TreeAssert.assertSameTree(gptOracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
            assertThat(image).doesNotExist();
        } finally {
            Sh.exec(null, "rm", "-rf", dest.toString(), dest + ".vdetach-progress");
        }
    }

    @Test
    void qcow2WithInlineDataIsConsumedExactly() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "ext4", 256 * MIB)) {
            Path image = host.resolve("guest.qcow2");
            Sh.run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", inline.image().toString(), image.toString());
            Path dest = host.resolve("out");
            Cli.Run r = Cli.run("detach", "--streaming", "--window", "2M", "--json", image.toString(), dest.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(key(r.out(), "bytes_materialised")).as("inline data decoded").isPositive();
            TreeAssert.assertSameTree(inlineOracle, HostTree.walk(dest.resolve("disk"), "lost+found"));
            assertThat(image).doesNotExist();
        }
    }

    @Test
    void killedRunsResumeAndOtherCommandsRefuseMeanwhile() throws Exception {
        try (ScratchHost host = ScratchHost.create(work, "ext4", 256 * MIB)) {
            Path image = host.resolve("guest.img");
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Path dest = host.resolve("out");
            long allocatedBefore = allocated(image);
            // Sampled points: after the walk, after decoding, in the middle of the copy (progress recorded, window
            // not yet punched), after every file was finished but before the image is deleted, and a real kill -9.
            for (String at : List.of("walked", "materialised", "window:2", "window:5", "finished")) {
                Process p = child(at, image, dest);
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as("halted at " + at + ": " + new String(p.getErrorStream().readAllBytes(),
                        StandardCharsets.UTF_8)).isEqualTo(137);
                assertThat(image).exists();
                Cli.Run ls = Cli.run("ls", image.toString());
                assertThat(ls.exit()).isEqualTo(4);
                assertThat(ls.err()).contains("is being consumed by an unfinished `vdetach detach --streaming` into "
                        + dest.toAbsolutePath()).contains("run the same command again to resume");
                Cli.Run other = Cli.run("detach", "--streaming", image.toString(), host.resolve("elsewhere").toString());
                assertThat(other.exit()).isEqualTo(4);
                assertThat(other.err()).contains("is being consumed");
                // Every command opens its image through ImageSource, which checks the marker first.
                for (List<String> cmd : List.of(List.of("extract", image.toString(), host.resolve("elsewhere").toString()),
                        List.of("plan", image.toString(), host.resolve("elsewhere").toString()),
                        List.of("detach", image.toString(), host.resolve("elsewhere").toString()),
                        List.of("verify", image.toString(), dest.toString()),
                        List.of("cat", image.toString(), "p1/files/small.txt"),
                        List.of("dump", image.toString(), host.resolve("elsewhere.raw").toString()))) {
                    Cli.Run refused = Cli.run(cmd.toArray(String[]::new));
                    assertThat(refused.exit()).as(cmd + ": " + refused.err()).isEqualTo(4);
                    assertThat(refused.err()).as(cmd.toString()).contains("is being consumed");
                }
                assertThat(host.resolve("elsewhere")).doesNotExist();
                assertThat(host.resolve("elsewhere.raw")).doesNotExist();
                if (at.equals("window:5")) {
                    assertThat(allocated(image)).as("units 1-4 (half-windows) punched out of the image").isLessThan(allocatedBefore - MIB / 2);
                }
            }
            // A real kill -9 at whatever point the child has reached (it may also have finished by itself).
            // The previous child halted after recording everything as finished; this one after deleting the image.
            Process deleted = child("deleted", image, dest);
            assertThat(deleted.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(deleted.exitValue()).isEqualTo(137);
            assertThat(image).doesNotExist();
            assertThat(host.resolve("guest.img.vdetach-consuming")).exists();
            Cli.Run done = Cli.run("detach", "--streaming", "--window", "1M", image.toString(), dest.toString());
            assertThat(done.exit()).as(done.err()).isZero();
            assertThat(done.out()).contains("removed its progress file and marker");
            assertThat(host.resolve("guest.img.vdetach-consuming")).doesNotExist();
            assertThat(host.resolve("out.vdetach-progress")).doesNotExist();
            TreeAssert.assertSameTree(gptOracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
            Sh.run("rm", "-rf", dest.toString());
            Sh.run("cp", "--sparse=always", gpt.image().toString(), image.toString());
            Process killed = child(null, image, dest);
            Path progress = host.resolve("out.vdetach-progress");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (killed.isAlive() && System.nanoTime() < deadline) {
                String text = Files.exists(progress) ? Files.readString(progress) : "";
                if (text.contains("windows_done=") && !text.contains("windows_done=0\n")
                        && !text.contains("windows_done=1\n")) break;
                Thread.sleep(2);
            }
            killed.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            boolean finishedAlone = !Files.exists(image) && !Files.exists(host.resolve("guest.img.vdetach-consuming"));
            System.out.println("kill -9 child: exit " + killed.exitValue() + (finishedAlone ? ", had finished" : ", resuming"));
            if (!finishedAlone) {
                Cli.Run r = Cli.run("detach", "--streaming", "--window", "1M", "--json", image.toString(), dest.toString());
                assertThat(r.exit()).as(r.out() + r.err()).isZero();
            }
            TreeAssert.assertSameTree(gptOracle, HostTree.walk(dest.resolve("p1"), "lost+found"));
            assertThat(image).doesNotExist();
            assertThat(host.resolve("guest.img.vdetach-consuming")).doesNotExist();
            assertThat(host.resolve("out.vdetach-progress")).doesNotExist();
            assertThat(Cli.run("ls", image.toString()).exit()).as("the image is gone").isEqualTo(4);
        }
    }

    private static long allocated(Path file) {
        return Long.parseLong(Sh.run("du", "-B1", file.toString()).trim().split("\\s+")[0]);
    }

    /** detach --streaming --window 1M in a child JVM, halted at the crash point {@code haltAt} (null: never). */
    private static Process child(String haltAt, Path image, Path dest) throws Exception {
        return HaltingDetach.start(haltAt, MIB, image, dest);
    }
}
