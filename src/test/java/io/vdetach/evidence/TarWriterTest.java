package io.vdetach.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.guestfs.Xattr;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.HostTree;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives written by TarWriter, extracted by GNU tar and by bsdtar: every entry exact. */
class TarWriterTest {
    @TempDir Path dir;

    private static final Instant T1 = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
    private static final Instant T2 = Instant.ofEpochSecond(1_600_000_000L, 987_654_321);
    private static final byte[] NOT_UTF8 = {'p', '1', '/', 'b', 'a', 'd', (byte) 0xff, (byte) 0xfe, 'x'};

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static TarEntry entry(String path, int mode, Instant mtime, Xattr... x) {
        return entry(b(path), mode, mtime, x);
    }

    private static TarEntry entry(byte[] path, int mode, Instant mtime, Xattr... x) {
        return new TarEntry(path, mode, 1000, 3_000_000, mtime, T2, T1, List.of(x));
    }

    private record Expected(TreeMap<String, EntryFacts> facts, byte[] sparseData) {}

    /** Writes the archive; returns what every extraction must show. */
    private Expected write(Path archive) throws IOException {
        Random rnd = new Random(7);
        byte[] data = new byte[300_000];
        rnd.nextBytes(data);
        byte[] a = new byte[5000];
        rnd.nextBytes(a);
        String longDir = "p1/" + "d".repeat(120) + "/" + "e".repeat(200);
        String longName = longDir + "/" + "f".repeat(255);
        String odd = "p1/pipe|back\\slash\nnewline\ttab";
        TreeMap<String, EntryFacts> want = new TreeMap<>();
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             TarWriter t = new TarWriter(ch)) {
            t.directory(entry("p1", 0755, T1));
            t.directory(entry(longDir.substring(0, longDir.lastIndexOf('/')), 0750, T1));
            t.directory(entry(longDir, 0700, T2));
            try (TarWriter.FileBody f = t.file(entry(longName, 04755, T2), 0, List.of())) {
                // empty, in a directory whose path is longer than ustar's fields
            }
            try (TarWriter.FileBody f = t.file(entry(odd, 0640, T1, new Xattr("user.note", b("v|1"))), a.length,
                    List.of(new TarWriter.Region(0, a.length)))) {
                f.write(ByteBuffer.wrap(a));
            }
            t.hardLink(entry("p1/second-name", 0640, T1), b(odd));
            // sparse: hole, 100,000 bytes at 1 MiB, hole, 200,000 bytes at 3 MiB, hole to 8 MiB
            long size = 8L << 20;
            try (TarWriter.FileBody f = t.file(entry("p1/sparse", 0600, T1), size,
                    List.of(new TarWriter.Region(1 << 20, 100_000), new TarWriter.Region(3 << 20, 200_000)))) {
                f.write(ByteBuffer.wrap(data, 0, 100_000));
                f.write(ByteBuffer.wrap(data, 100_000, 200_000));
            }
            t.symlink(entry("p1/link", 0777, T2), b("../" + "t".repeat(150)));
            t.fifo(entry("p1/fifo", 0620, T1));
            t.directory(entry(NOT_UTF8, 0711, T1));
        }
        long uid = 1000, gid = 3_000_000;
        want.put("p1", new EntryFacts("dir", 0, "", 0755, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, new TreeMap<>(), ""));
        String longParent = longDir.substring(0, longDir.lastIndexOf('/'));
        want.put(longParent, new EntryFacts("dir", 0, "", 0750, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, new TreeMap<>(), ""));
        want.put(longDir, new EntryFacts("dir", 0, "", 0700, uid, gid, T2.getEpochSecond(), T2.getNano(), "", 0, new TreeMap<>(), ""));
        TreeMap<String, String> x = new TreeMap<>();
        x.put("user.note", HexFormat.of().formatHex(b("v|1")));
        String group = String.join("|", new java.util.TreeSet<>(List.of(odd, "p1/second-name")));
        want.put(odd, new EntryFacts("file", a.length, sha(a), 0640, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, x, group));
        want.put("p1/second-name", new EntryFacts("file", a.length, sha(a), 0640, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, x, group));
        want.put(longName, new EntryFacts("file", 0, sha(new byte[0]), 04755, uid, gid, T2.getEpochSecond(), T2.getNano(), "", 0, new TreeMap<>(), ""));
        byte[] sparse = new byte[8 << 20];
        System.arraycopy(data, 0, sparse, 1 << 20, 100_000);
        System.arraycopy(data, 100_000, sparse, 3 << 20, 200_000);
        want.put("p1/sparse", new EntryFacts("file", sparse.length, sha(sparse), 0600, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, new TreeMap<>(), ""));
        want.put("p1/link", new EntryFacts("symlink", 153, "", 0777, uid, gid, T2.getEpochSecond(), T2.getNano(), "../" + "t".repeat(150), 0, new TreeMap<>(), ""));
        want.put("p1/fifo", new EntryFacts("fifo", 0, "", 0620, uid, gid, T1.getEpochSecond(), T1.getNano(), "", 0, new TreeMap<>(), ""));
        return new Expected(want, sparse);
    }

    @Test
    void gnuTarAndBsdtarExtractEveryEntryExactly() throws Exception {
        Need.root();
        Need.tools("tar", "bsdtar", "getfattr");
        Path archive = dir.resolve("out.tar");
        Expected want = write(archive);
        assertThat(Files.size(archive) % 10240).isZero();
        extractAndCompare(archive, want, "gnu", "tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf");
        extractAndCompare(archive, want, "bsd", "bsdtar", "--numeric-owner", "-xpf");
    }

    private void extractAndCompare(Path archive, Expected want, String name, String... cmd) throws IOException {
        Path to = Files.createDirectory(dir.resolve(name));
        String[] full = new String[cmd.length + 3];
        System.arraycopy(cmd, 0, full, 0, cmd.length);
        full[cmd.length] = archive.toString();
        full[cmd.length + 1] = "-C";
        full[cmd.length + 2] = to.toString();
        Sh.Result r = Sh.exec(null, full);
        assertThat(r.exit()).as(name + ": " + r.err()).isZero();
        // GNU tar does not know pax's hdrcharset (bsdtar needs it for the name that is not UTF-8) and says so
        assertThat(r.err().replace("tar: Ignoring unknown extended header keyword 'hdrcharset'\n", ""))
                .as(name + " warns").isEmpty();
        TreeMap<String, EntryFacts> got = HostTree.walk(to);
        got.remove(".");
        // the directory with a name that is not UTF-8 is checked by its bytes below
        got.keySet().removeIf(k -> k.startsWith("p1/bad"));
        TreeMap<String, EntryFacts> expect = new TreeMap<>(want.facts());
        if (name.equals("bsd")) {
            // bsdtar restores xattrs by default; GNU tar only with --xattrs (given): both must have them
            assertThat(got.get("p1/pipe|back\\slash\nnewline\ttab").xattrs()).isEqualTo(expect.get("p1/pipe|back\\slash\nnewline\ttab").xattrs());
        }
        assertThat(got).as(name).isEqualTo(expect);
        // holes stay holes: 8 MiB with 300,000 bytes of data
        long blocks = Long.parseLong(Sh.run("stat", "-c", "%b", to.resolve("p1/sparse").toString()).trim());
        assertThat(blocks * 512).as(name + " sparse allocation").isLessThan(1 << 20);
        // the name that is not UTF-8 arrived byte for byte
        String hex = Sh.bash("cd '" + to + "/p1' && for f in bad*; do printf '%s' \"$f\" | od -An -tx1 | tr -d ' \\n'; done");
        assertThat(hex).as(name + " non-UTF-8 name").isEqualTo("626164fffe78");
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
