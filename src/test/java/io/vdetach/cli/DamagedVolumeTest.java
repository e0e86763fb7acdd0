package io.vdetach.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.Cli;
import io.vdetach.testkit.ImagePatch;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user met (issue 20, items 1-3), through the command line: errors and warnings go to
 * stderr one line each (the report and --json keep listing them, stdout stays parseable); a damaged
 * volume makes ls and plan exit as extract does (1 when another volume was read, 3 when nothing
 * was); a GPT disk without its GPT, a partition past the image's end and an image in which nothing
 * is recognised are exit 3, never an empty success. Disks made by sgdisk, sfdisk, mke2fs and mkntfs;
 * the NTFS boot sector and its backup patched to claim 256 MiB clusters.
 */
@Timeout(120)
class DamagedVolumeTest {
    @TempDir Path dir;
    private Path tree;

    /** sgdisk's partitions: p1 ext4 at 1 MiB, p2 NTFS at 20 MiB, 16 MiB each. */
    private static final long P1 = 1 << 20, P2 = 20 << 20, PART = 16 << 20;
    /** NTFS boot sector: sectors per cluster; 0xED is 2^(256-237) = 2^19 sectors of 512 bytes, 256 MiB. */
    private static final int SECTORS_PER_CLUSTER = 0x0d;

    @BeforeEach
    void tree() throws Exception {
        Need.tools("mke2fs", "sgdisk", "mkntfs", "python3");
        tree = Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(tree.resolve("a/b"));
        Files.writeString(tree.resolve("hello.txt"), "hello\n");
        Files.writeString(tree.resolve("a/b/c.txt"), "deep\n");
    }

    /** A damaged NTFS volume: both boot sectors (the first and the volume's last sector) claim 256 MiB clusters. */
    private Path damagedNtfs(Path file) throws Exception {
        Sh.run("truncate", "-s", Long.toString(PART), file.toString());
        Sh.run("mkntfs", "-F", "-Q", "-q", file.toString());
        ImagePatch.write(file, SECTORS_PER_CLUSTER, new byte[] {(byte) 0xed});
        ImagePatch.write(file, PART - 512 + SECTORS_PER_CLUSTER, new byte[] {(byte) 0xed});
        return file;
    }

    /** GPT: p1 ext4 (readable), p2 the damaged NTFS. */
    private Path twoVolumes() throws Exception {
        Path img = dir.resolve("two.img");
        Sh.run("truncate", "-s", "40M", img.toString());
        Sh.run("sgdisk", "-n", "1:2048:+16M", "-n", "2:" + P2 / 512 + ":+16M", img.toString());
        Path ext = dir.resolve("p1.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), ext.toString(), "16M");
        Sh.run("dd", "if=" + ext, "of=" + img, "bs=1M", "seek=1", "conv=notrunc", "status=none");
        Path ntfs = damagedNtfs(dir.resolve("p2.ntfs"));
        Sh.run("dd", "if=" + ntfs, "of=" + img, "bs=1M", "seek=20", "conv=notrunc", "status=none");
        return img;
    }

    private static void noStackTrace(Cli.Run r) {
        assertThat(r.out() + r.err()).doesNotContain("\tat io.vdetach", "Exception in thread");
    }

    /** python3's json module as the oracle: stdout is one JSON document and nothing else. */
    private void assertJsonOnly(String stdout) throws Exception {
        Path f = dir.resolve("stdout.json");
        Files.writeString(f, stdout);
        Sh.run("python3", "-c", "import json,sys; json.load(open(sys.argv[1]))", f.toString());
    }

    @Test
    void aDamagedVolumeBesideAReadableOneIsExit1ForLsPlanAndExtractAndAnErrorOnStderr() throws Exception {
        Path img = twoVolumes();
        String line = "vdetach: error: p2: ntfs: corrupt boot sector";
        for (String[] cmd : new String[][] {{"ls", img.toString()}, {"plan", img.toString(), dir.resolve("plan").toString()},
                {"extract", img.toString(), dir.resolve("out").toString()}}) {
            Cli.Run r = Cli.run(cmd);
            noStackTrace(r);
            assertThat(r.exit()).as(cmd[0] + "\n" + r.out() + r.err()).isEqualTo(1);
            assertThat(r.err()).as(cmd[0]).contains(line);
            assertThat(r.out()).as(cmd[0] + ": the report lists it too").contains("corrupt boot sector");
        }
        assertThat(dir.resolve("out/p1/a/b/c.txt")).hasContent("deep\n");
        for (String cmd : new String[] {"ls", "extract"}) {
            Cli.Run r = cmd.equals("ls") ? Cli.run("ls", "--json", img.toString())
                    : Cli.run("extract", "--json", img.toString(), dir.resolve("out-json").toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains(line);
            assertJsonOnly(r.out());
            assertThat(r.out()).contains("corrupt boot sector");
        }
    }

    @Test
    void onlyADamagedVolumeIsExit3ForLsPlanAndExtract() throws Exception {
        Path img = damagedNtfs(dir.resolve("ntfs.img"));
        for (String[] cmd : new String[][] {{"ls", img.toString()}, {"ls", "--volumes-only", img.toString()},
                {"plan", img.toString(), dir.resolve("plan").toString()}, {"extract", img.toString(), dir.resolve("out").toString()}}) {
            Cli.Run r = Cli.run(cmd);
            noStackTrace(r);
            assertThat(r.exit()).as(String.join(" ", cmd) + "\n" + r.out() + r.err()).isEqualTo(3);
            assertThat(r.err()).contains("vdetach: error: disk: ntfs: corrupt boot sector", "cluster size 268435456");
        }
    }

    @Test
    void walkErrorsAndWarningsGoToStderrOneLineEach() throws Exception {
        Need.tools("debugfs");
        Path img = dir.resolve("cycle.ext4");
        Sh.run("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), img.toString(), "16M");
        Sh.run("debugfs", "-w", "-R", "ln /a /a/b/loop", img.toString());
        Cli.Run ls = Cli.run("ls", img.toString());
        assertThat(ls.exit()).isEqualTo(1);
        assertThat(ls.err()).containsPattern("(?m)^vdetach: error: disk/a/b/loop: directory \\d+ is reached a second time[^\\n]*$");
        Cli.Run ex = Cli.run("extract", "--json", img.toString(), dir.resolve("out").toString());
        assertThat(ex.exit()).isEqualTo(1);
        assertThat(ex.err()).containsPattern("(?m)^vdetach: error: disk/a/b/loop: directory \\d+ is reached a second time");
        assertJsonOnly(ex.out());
        assertThat(ex.out()).contains("\"path\": \"disk/a/b/loop\"");
        // a fatal error has the same format
        Cli.Run missing = Cli.run("ls", dir.resolve("nope.img").toString());
        assertThat(missing.exit()).isEqualTo(4);
        assertThat(missing.err()).startsWith("vdetach: error: ").contains("no such file");
        assertThat(missing.out()).isEmpty();
    }

    @Test
    void aProtectiveMbrWithoutItsGptIsExit3NamingTheMissingHeader() throws Exception {
        Path img = twoVolumes();
        Sh.run("truncate", "-s", "1000", img.toString());
        for (String[] cmd : new String[][] {{"ls", img.toString()}, {"extract", img.toString(), dir.resolve("out").toString()}}) {
            Cli.Run r = Cli.run(cmd);
            noStackTrace(r);
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
            assertThat(r.err()).contains("vdetach: error: gpt: corrupt GPT header at offset 512", "protective MBR",
                    "holds 1000 bytes");
        }
        assertThat(dir.resolve("out/p1")).doesNotExist();
    }

    @Test
    void aPartitionPastTheImagesEndIsExit3() throws Exception {
        Path gpt = twoVolumes();
        Sh.run("truncate", "-s", "30M", gpt.toString()); // p2 ran to 36 MiB; the backup header is gone too
        Cli.Run r = Cli.run("ls", gpt.toString());
        noStackTrace(r);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.err()).startsWith("vdetach: error: gpt: corrupt GPT");

        Path mbr = dir.resolve("mbr.img");
        Sh.run("truncate", "-s", "40M", mbr.toString());
        Sh.bash("printf 'label: dos\\n2048,32768,83\\n' | sfdisk -q " + mbr);
        Sh.run("truncate", "-s", "10M", mbr.toString());
        Cli.Run m = Cli.run("extract", mbr.toString(), dir.resolve("out").toString());
        noStackTrace(m);
        assertThat(m.exit()).as(m.out() + m.err()).isEqualTo(3);
        assertThat(m.err()).contains("vdetach: error: mbr: corrupt partition entry at offset 446", "pass the end of the disk");
    }

    @Test
    void anImageWithNothingRecognisedIsExit3UnlessItIsAllZeros() throws Exception {
        // An xz stream's signature, then data: a format vdetach does not read (a compressed image).
        Path e01 = dir.resolve("disk.img.xz");
        Sh.bash("{ printf '\\3757zXZ\\000'; head -c 300000 /dev/urandom; } > " + e01);
        for (String[] cmd : new String[][] {{"ls", e01.toString()}, {"extract", e01.toString(), dir.resolve("out").toString()},
                {"plan", e01.toString(), dir.resolve("plan").toString()}}) {
            Cli.Run r = Cli.run(cmd);
            noStackTrace(r);
            assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(3);
            assertThat(r.err()).contains("vdetach: error: raw: nothing in the image is recognised", "fd 37 7a 58 5a 00",
                    "7zXZ");
        }
        Path zeros = dir.resolve("zeros.img");
        Sh.run("truncate", "-s", "8M", zeros.toString());
        Cli.Run z = Cli.run("ls", zeros.toString());
        assertThat(z.exit()).as(z.out() + z.err()).isZero();
        assertThat(z.out()).contains("empty: all zeros");
    }
}
