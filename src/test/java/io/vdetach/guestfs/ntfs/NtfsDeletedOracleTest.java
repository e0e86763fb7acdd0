package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Recovered;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --deleted on an NTFS volume made by ntfs-3g (files, a fragmented file, a file with an alternate
 * data stream, a directory tree, created then deleted; then a new file that takes freed clusters).
 * Oracles: Sleuth Kit's {@code tsk_recover} (unallocated files only), whose every file we recover
 * with equal content, and {@code fls -rd}, whose deleted names we list, under the same paths.
 * The one difference: fls also lists the MFT records 16-23 that mkntfs reserves and formats but
 * never names ("$OrphanFiles/OrphanFile-16" ...); they are not deleted files and have no name, so
 * we do not list them (tsk_recover recovers nothing from them either).
 */
class NtfsDeletedOracleTest {
    @TempDir Path dir;

    private static final String SCRIPT = """
            set -eu
            mkdir -p keep gone/sub
            printf small > gone/tiny
            head -c 50000 /dev/urandom > gone/sub/big
            for i in $(seq 1 20); do head -c 4096 /dev/urandom >> frag; head -c 4096 /dev/urandom > filler$((i % 3)); done
            rm -f filler*
            printf adsfile > withads; setfattr -n user.note -v hello withads
            head -c 9000 /dev/urandom > keep/victim
            printf live > keep/alive
            sync
            rm -r gone; rm withads keep/victim frag
            head -c 20000 /dev/urandom > reuse
            """;

    @Test
    void everythingTskRecoversAndEveryNameFlsLists() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr", "fls", "tsk_recover");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, NtfsFixture.Layout.BARE, 4096, 16L << 20, SCRIPT);
        Map<String, String> ours = new TreeMap<>(); // path below $Deleted (or "$Orphan/name") -> md5, "dir" for directories
        Map<String, Recovered> byPath = new TreeMap<>();
        try (HostFile img = HostFile.open(disk.image());
             NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            DeletedEntries it = fs.deleted().orElseThrow();
            for (Recovered r; (r = it.next()) != null; ) {
                String p = r.path().stream().map(c -> new String(c, StandardCharsets.UTF_8)).collect(Collectors.joining("/"));
                if (r.place() == Recovered.Place.ORPHAN) p = "$Orphan/" + p.substring(p.indexOf('-') + 1);
                byPath.put(p, r);
                ours.put(p, r.content() == null ? "dir" : NtfsDeletedTest.md5(r.content()));
            }
        }
        // tsk_recover: every file it writes, with the same content
        Path rec = dir.resolve("rec");
        Sh.run("tsk_recover", disk.image().toString(), rec.toString());
        Map<String, String> tsk = new TreeMap<>();
        try (Stream<Path> s = Files.walk(rec)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = rec.relativize(p).toString().replace("$OrphanFiles/", "$Orphan/");
                tsk.put(rel, HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(Files.readAllBytes(p))));
            }
        }
        assertThat(tsk).isNotEmpty();
        for (var e : tsk.entrySet()) assertThat(ours).as("tsk_recover's " + e.getKey()).containsEntry(e.getKey(), e.getValue());
        // fls -rd: the same deleted names (streams "name:stream" are checked on the file)
        TreeSet<String> fls = new TreeSet<>();
        for (String line : Sh.run("fls", "-rdp", disk.image().toString()).split("\n")) {
            if (line.isBlank() || line.contains("(realloc)")) continue;
            String path = line.substring(line.indexOf('\t') + 1);
            if (path.matches("\\$OrphanFiles/OrphanFile-(1[6-9]|2[0-3])")) continue; // mkntfs's reserved records, never named
            if (path.contains(":")) {
                String[] fileAndStream = path.split(":", 2);
                Recovered r = byPath.get(fileAndStream[0]);
                assertThat(r).as(path).isNotNull();
                assertThat(r.streams().stream().map(NamedStream::name).map(String::new)).contains(fileAndStream[1]);
                continue;
            }
            fls.add(path.replace("$OrphanFiles/", "$Orphan/"));
        }
        assertThat(ours.keySet()).isEqualTo(fls);
        // the new file took freed clusters: the deleted file that had them says so, its content still given
        assertThat(byPath.values().stream().filter(r -> r.recovery() == Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED)).isNotEmpty();
        assertThat(byPath.get("gone/tiny").recovery()).isEqualTo(Recovered.Recovery.METADATA_INTACT);
    }
}
