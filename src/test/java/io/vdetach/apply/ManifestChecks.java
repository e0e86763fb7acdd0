package io.vdetach.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.testkit.ManifestFile;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.OracleFacts;
import io.vdetach.testkit.Sh;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Comparisons of a manifest and a bodyfile with what the oracle mount and Sleuth Kit's mactime say. */
final class ManifestChecks {
    private ManifestChecks() {}

    /**
     * Every entry of {@code volume} in the manifest against the mount's facts: one line per name,
     * type, size, inode, links, owner, mode, atime/mtime/ctime to the nanosecond, crtime (stat's
     * birth time where {@code btimeFromStat}), and each file's hashes against sha256sum/md5sum.
     *
     * @return the entry lines of the volume by path (ISO-8859-1 of the guest name's bytes)
     */
    static Map<String, ManifestFile.Line> assertMatches(List<ManifestFile.Line> entries, String volume, Map<String, OracleFacts.Facts> stat,
                                                        Map<String, String> sha256, Map<String, String> md5, boolean btimeFromStat,
                                                        boolean modesAndOwners) {
        Map<String, ManifestFile.Line> byName = new java.util.HashMap<>();
        List<String> diffs = new ArrayList<>();
        for (ManifestFile.Line l : entries) {
            if (!volume.equals(l.str("volume"))) continue;
            String key = OracleFacts.key(l.guestName());
            assertThat(byName.put(key, l)).as("one line per name: " + key).isNull();
            assertThat(l.str("status")).as(key + " " + l.str("error")).isEqualTo("ok");
            OracleFacts.Facts f = stat.get(key);
            if (f == null) {
                diffs.add("not in the oracle: " + key);
                continue;
            }
            check(diffs, key, "type", f.type(), l.type());
            if (!l.type().equals("directory")) check(diffs, key, "size", f.size(), l.num("size"));
            check(diffs, key, "nlink", f.nlink(), l.num("nlink"));
            check(diffs, key, "atime", f.atimeNs(), l.num("atime_ns"));
            check(diffs, key, "mtime", f.mtimeNs(), l.num("mtime_ns"));
            check(diffs, key, "ctime", f.ctimeNs(), l.num("ctime_ns"));
            if (btimeFromStat) check(diffs, key, "crtime", f.btimeNs(), l.num("crtime_ns"));
            String inode = l.str("inode");
            check(diffs, key, "inode", Long.toString(f.ino()), inode.contains("-") ? inode.substring(0, inode.indexOf('-')) : inode);
            if (modesAndOwners) {
                if (!l.type().equals("symlink")) check(diffs, key, "mode", String.format("%04o", f.mode()), l.str("mode"));
                check(diffs, key, "uid", f.uid(), l.num("uid"));
                check(diffs, key, "gid", f.gid(), l.num("gid"));
            }
            if (l.type().equals("file")) {
                check(diffs, key, "sha256", sha256.get(key), l.str("sha256"));
                if (md5 != null) check(diffs, key, "md5", md5.get(key), l.str("md5"));
            }
        }
        Set<String> missing = new HashSet<>(stat.keySet());
        missing.removeAll(byName.keySet());
        if (!missing.isEmpty()) diffs.add("no line for " + missing);
        assertThat(diffs).as("manifest against the oracle (" + diffs.size() + " differences)").isEmpty();
        return byName;
    }

    private static void check(List<String> diffs, String key, String what, Object expected, Object actual) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            diffs.add(key.replace("\n", "\\n") + ": " + what + " " + actual + ", oracle " + expected);
        }
    }

    /**
     * mactime -b FILE -d reads the bodyfile without a word on stderr and prints one line per entry
     * and distinct time, as its own rules count them: whole seconds (cut toward zero) that are not
     * negative, nothing for an entry whose four times are all 0.
     */
    /** The tar readers every --tar archive is checked with: GNU tar and bsdtar, keeping xattrs and numeric owners. */
    static final List<String[]> TAR_READERS = List.of(new String[] {"tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf"},
            new String[] {"bsdtar", "--numeric-owner", "-xpf"});

    /** Where a reader unpacked an archive, and what it said on stderr (GNU tar's note on pax's hdrcharset left out). */
    record Unpacked(Path dir, String err) {}

    /** Unpacks {@code archive} with {@code reader} (one of {@link #TAR_READERS}) into a new directory in {@code work}; it must exit 0. */
    static Unpacked unpack(String[] reader, Path archive, Path work) throws Exception {
        Path to = Files.createDirectory(work.resolve("x-" + reader[0]));
        String[] cmd = java.util.Arrays.copyOf(reader, reader.length + 3);
        cmd[reader.length] = archive.toString();
        cmd[reader.length + 1] = "-C";
        cmd[reader.length + 2] = to.toString();
        Sh.Result x = Sh.exec(null, cmd);
        assertThat(x.exit()).as(reader[0] + ": " + x.err()).isZero();
        return new Unpacked(to, x.err().replace("tar: Ignoring unknown extended header keyword 'hdrcharset'\n", ""));
    }

    static void assertMactimeReads(Path bodyfile, int expectedEntries) throws Exception {
        Need.tools("mactime");
        List<String> lines = Files.readAllLines(bodyfile, StandardCharsets.ISO_8859_1);
        assertThat(lines).hasSize(expectedEntries);
        long expected = 0;
        for (String line : lines) {
            String[] f = line.split("\\|", -1);
            assertThat(f).as("11 fields (split from the right too): " + line).hasSize(11);
            Set<Long> seconds = new HashSet<>();
            boolean allZero = true;
            for (int i = 7; i <= 10; i++) {
                BigDecimal t = new BigDecimal(f[i]);
                if (t.signum() != 0) allZero = false;
                long whole = t.longValue(); // cut toward zero, as perl's %d
                if (whole >= 0) seconds.add(whole);
            }
            if (!allZero) expected += seconds.size();
        }
        Sh.Result r = Sh.exec(null, "mactime", "-b", bodyfile.toString(), "-d");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).as("mactime's warnings").isEmpty();
        assertThat(r.out().lines().skip(1).count()).as("mactime lines").isEqualTo(expected);
    }
}
