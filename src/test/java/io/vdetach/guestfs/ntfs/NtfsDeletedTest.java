package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Recovered;
import io.vdetach.testkit.Corpus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * --deleted on NTFS against DFTT test 7 (dftt/7-undel-ntfs, answer key in its index.html and in
 * testdata/SOURCES.md): every deleted file with the key's size and MD5, under its original path,
 * and dir3\sing2.dat (whose directory's record was reused by res1.dat) under $Orphan.
 */
class NtfsDeletedTest {

    /** The answer key: path below $Deleted/ or $Orphan/ -> "size md5". */
    private static final Map<String, String> KEY = Map.of(
            "$Deleted/res1.dat", "101 9036637712b491904cd0bfbdbe648453",
            "$Deleted/sing1.dat", "780 59b20779f69ff9f0ac5fcd2c38835a79",
            "$Deleted/mult1.dat", "3801 ffd27bd782bdce67750b6b9ee069d2ef",
            "$Deleted/frag1.dat", "1584 7a3bc5b763bef201202108f4ba128149",
            "$Deleted/frag2.dat", "3873 0e80ab84ef0087e60dfc67b88a1cf13e",
            "$Deleted/dir1/mult2.dat", "1715 59cf0e9cd107bc1e75afb7374f6e05bb",
            "$Deleted/dir1/dir2/frag3.dat", "2027 21121699487f3fbbdb9a4b3391b6d3e0",
            "$Orphan/38-sing2.dat", "1005 c229626f6a71b167ad7e50c4f2fccdb1");

    @Test
    void dfttUndeleteNtfsEveryFileOfTheAnswerKey() throws Exception {
        try (HostFile img = HostFile.open(Corpus.file("dftt/7-undel-ntfs/7-ntfs-undel.dd"));
             NtfsFilesystem fs = NtfsFilesystem.open(img, false, BlockCache.withDefaultBudget())) {
            DeletedEntries it = fs.deleted().orElseThrow();
            Map<String, String> files = new TreeMap<>();
            Map<String, Recovered> byPath = new TreeMap<>();
            for (Recovered r; (r = it.next()) != null; ) {
                String path = r.place().dirName() + "/" + r.path().stream().map(c -> new String(c, StandardCharsets.UTF_8))
                        .collect(Collectors.joining("/"));
                byPath.put(path, r);
                if (r.content() != null) files.put(path, r.content().size() + " " + md5(r.content()));
            }
            assertThat(files).isEqualTo(new TreeMap<>(KEY));
            assertThat(byPath.get("$Deleted/dir1").node().isDirectory()).isTrue();
            assertThat(byPath.get("$Deleted/dir1/dir2").node().isDirectory()).isTrue();
            // the alternate data stream mult1.dat:ADS (MFT entry 32-128-6 in the key)
            Recovered mult1 = byPath.get("$Deleted/mult1.dat");
            assertThat(mult1.streams()).hasSize(1);
            NamedStream ads = mult1.streams().getFirst();
            assertThat(new String(ads.name(), StandardCharsets.UTF_8)).isEqualTo("ADS");
            assertThat(ads.content().size()).isEqualTo(1234);
            assertThat(md5(ads.content())).isEqualTo("ba1b9eedb1c091ddca253d35dde8f616");
            // nothing of it was allocated again: the key says no data structure was modified
            for (Recovered r : byPath.values()) assertThat(r.recovery()).isEqualTo(Recovered.Recovery.METADATA_INTACT);
            // the leap day of the bonus question: created on 2004-02-29
            assertThat(mult1.node().btime().toString()).startsWith("2004-02-29");
            assertThat(fs.inodeLabel(byPath.get("$Orphan/38-sing2.dat").node())).startsWith("38-");
        }
    }

    static String md5(Layer l) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        ByteBuffer b = ByteBuffer.allocate((int) l.size());
        l.readFully(0, b);
        md.update(b.flip());
        return HexFormat.of().formatHex(md.digest());
    }
}
