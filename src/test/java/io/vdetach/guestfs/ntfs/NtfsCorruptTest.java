package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.Node;
import io.vdetach.testkit.EntryFacts;
import io.vdetach.testkit.GuestTree;
import io.vdetach.testkit.Need;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real volume (mkntfs + ntfs-3g) with bytes patched the way damage or an attacker would:
 * every case ends in a CorruptImageException or a reported, skipped entry, never a hang.
 */
class NtfsCorruptTest {
    @TempDir static Path dir;
    static byte[] pristine;
    static TreeMap<String, EntryFacts> pristineTree;

    static final String SCRIPT = """
            set -eu
            printf 'victim data' > victim
            head -c 100000 /dev/urandom > data
            mkdir -p d/sub A B c
            printf child > d/sub/child
            setfattr -n system.ntfs_attrib_be -v 0x00000800 c
            yes 'compress me please' | head -c 200000 > c/text
            mkdir links; printf linked > links/target
            for i in $(seq 1 120); do ln links/target "links/hard-link-number-$i-with-a-long-name-to-fill-the-mft-record-quickly"; done
            mkdir big; (cd big && seq 1 600 | sed 's/^/file-/' | xargs touch)
            """;

    @BeforeAll
    static void fixture() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g", "setfattr");
        NtfsFixture.Disk disk = NtfsFixture.build(dir, NtfsFixture.Layout.BARE, 4096, 16L << 20, SCRIPT);
        pristine = Files.readAllBytes(disk.image());
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(pristine), false, BlockCache.withDefaultBudget())) {
            pristineTree = GuestTree.walk(fs);
        }
    }

    @Test
    void badFixupSkipsTheRecordAndSaysSo() throws Exception {
        byte[] img = pristine.clone();
        long n = record("victim");
        img[(int) recordOffset(img, n) + 510] ^= 0x55;
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            TreeMap<String, EntryFacts> t = GuestTree.walk(fs);
            assertThat(t).doesNotContainKey("victim").containsKey("data");
            assertThat(fs.warnings()).anyMatch(w -> w.contains("MFT record " + n) && w.contains("update sequence"));
            assertThatThrownBy(() -> fs.node(n)).isInstanceOf(CorruptImageException.class).hasMessageContaining("update sequence");
        }
    }

    @Test
    void runPastTheVolumeEndIsCorrupt() throws Exception {
        byte[] img = pristine.clone();
        long n = record("data");
        int rec = (int) recordOffset(img, n);
        int attr = attribute(img, rec, Attribute.DATA);
        int runs = attr + u16(img, attr + 32);
        int header = img[runs] & 0xff;
        int lenSize = header & 0x0f;
        int offSize = header >>> 4;
        for (int i = 0; i < offSize; i++) patch(img, rec, runs - rec + 1 + lenSize + i, i == offSize - 1 ? 0x7f : 0xff);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThatThrownBy(() -> fs.node(n)).isInstanceOf(CorruptImageException.class).hasMessageContaining("past the volume")
                    .satisfies(e -> assertThat(((CorruptImageException) e).offset()).as("the mapping pair's offset").isEqualTo(runs));
        }
    }

    @Test
    void attributeListNamingAnotherFileIsCorruptAndSelfReferenceEnds() throws Exception {
        long n = record("links", "target");
        long victim = record("victim");
        for (long to : new long[] {victim, n}) {
            byte[] img = pristine.clone();
            int rec = (int) recordOffset(img, n);
            int attr = attribute(img, rec, Attribute.ATTRIBUTE_LIST);
            ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
            boolean resident = img[attr + 8] == 0;
            int value;
            int len;
            if (resident) {
                value = attr + u16(img, attr + 20);
                len = b.getInt(attr + 16);
            } else {
                // One run: header byte, length bytes, LCN bytes (a fresh volume gives the list one extent).
                int runs = attr + u16(img, attr + 32);
                int lenSize = img[runs] & 0x0f;
                int offSize = (img[runs] & 0xff) >>> 4;
                long lcn = 0;
                for (int i = offSize - 1; i >= 0; i--) lcn = (lcn << 8) | (img[runs + 1 + lenSize + i] & 0xff);
                value = (int) (lcn * 4096);
                len = (int) b.getLong(attr + 48);
            }
            for (int p = value; p < value + len; p += u16(img, p + 4)) {
                long seg = b.getLong(p + 16) & 0xffff_ffff_ffffL;
                if (seg == n) continue;
                for (int i = 0; i < 8; i++) {
                    int v = i < 6 ? (int) (to >>> (8 * i)) & 0xff : 0;
                    if (resident) patch(img, rec, p + 16 + i - rec, v);
                    else img[p + 16 + i] = (byte) v;
                }
            }
            try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    if (to == victim) {
                        assertThatThrownBy(() -> fs.node(n)).isInstanceOf(CorruptImageException.class).hasMessageContaining("not its extension");
                    } else {
                        assertThat(fs.node(n).size()).isEqualTo(6);
                    }
                });
            }
        }
    }

    @Test
    void recordThatIsItsOwnParentOrACycleIsNotListed() throws Exception {
        byte[] img = pristine.clone();
        long d = record("d");
        long a = record("A");
        long b = record("B");
        setParent(img, d, d);
        setParent(img, a, b);
        setParent(img, b, a);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            TreeMap<String, EntryFacts> t = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> GuestTree.walk(fs));
            assertThat(t.keySet()).doesNotContain("d", "d/sub", "A", "B").contains("victim", "links");
            assertThat(fs.warnings()).anyMatch(w -> w.contains("MFT record " + d + " names itself as its parent"));
        }
    }

    @Test
    void damagedIndexBuffersDoNotMatterToTheTree() throws Exception {
        // The tree comes from $FILE_NAME parent references, so even index buffers pointing at
        // themselves (an index loop) or full of garbage leave the listing intact.
        byte[] img = pristine.clone();
        int patched = 0;
        for (int at = 0; at + 4096 <= img.length; at += 4096) {
            if (img[at] == 'I' && img[at + 1] == 'N' && img[at + 2] == 'D' && img[at + 3] == 'X') {
                for (int i = 0x18; i < 4096; i++) img[at + i] = (byte) 0xff;
                patched++;
            }
        }
        assertThat(patched).isPositive();
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThat(GuestTree.walk(fs)).isEqualTo(pristineTree);
        }
    }

    @Test
    void damagedPrimaryBootSectorFallsBackToTheBackup() throws Exception {
        byte[] img = pristine.clone();
        for (int i = 0; i < 512; i++) img[i] = 0;
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThat(fs.label()).isEqualTo("fixture");
            assertThat(fs.warnings()).anyMatch(w -> w.contains("backup"));
            assertThat(GuestTree.walk(fs)).isEqualTo(pristineTree);
        }
        for (int i = img.length - 512; i < img.length; i++) img[i] = 0;
        assertThatThrownBy(() -> NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())).isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("boot sector");
    }

    @Test
    void dirtyVolumeIsAWarning() throws Exception {
        byte[] img = pristine.clone();
        int rec = (int) recordOffset(img, 3);
        int attr = attribute(img, rec, Attribute.VOLUME_INFORMATION);
        int value = attr + u16(img, attr + 20);
        patch(img, rec, value + 10 - rec, (img[value + 10] & 0xff) | 1);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThat(fs.warnings()).anyMatch(w -> w.contains("dirty"));
        }
    }

    @Test
    void hostileCompressionUnitIsRefused() throws Exception {
        byte[] img = pristine.clone();
        long n = record("c", "text");
        int rec = (int) recordOffset(img, n);
        int attr = attribute(img, rec, Attribute.DATA);
        assertThat(u16(img, attr + 34)).isEqualTo(4);
        patch(img, rec, attr + 34 - rec, 30);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThatThrownBy(() -> fs.node(n)).isInstanceOf(CorruptImageException.class).hasMessageContaining("compression unit")
                    .satisfies(e -> assertThat(((CorruptImageException) e).offset()).as("the attribute's offset").isEqualTo(attr));
        }
    }

    @Test
    void encryptedFileIsExtractedRawWithANote() throws Exception {
        // ntfs-3g cannot create EFS files, so the encrypted flags are set on a real file's record.
        byte[] img = pristine.clone();
        long n = record("data");
        int rec = (int) recordOffset(img, n);
        int si = attribute(img, rec, Attribute.STANDARD_INFORMATION);
        int siValue = si + u16(img, si + 20);
        patch(img, rec, siValue + 33 - rec, (img[siValue + 33] & 0xff) | 0x40);
        int data = attribute(img, rec, Attribute.DATA);
        patch(img, rec, data + 13 - rec, (img[data + 13] & 0xff) | 0x40);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            Node node = fs.node(n);
            assertThat(node.notes()).contains("encrypted (EFS): raw ciphertext");
            assertThat(GuestTree.sha256(fs.content(node))).isEqualTo(pristineTree.get("data").sha256());
        }
    }

    @Test
    void initializedSizeBelowDataSizeReadsZerosAsAHole() throws Exception {
        // Windows leaves valid data length below the size after SetEndOfFile; ntfs-3g never does, so patch it.
        byte[] img = pristine.clone();
        long n = record("data");
        int rec = (int) recordOffset(img, n);
        int attr = attribute(img, rec, Attribute.DATA);
        long valid = 50_000;
        for (int i = 0; i < 8; i++) patch(img, rec, attr + 56 + i - rec, (int) (valid >>> (8 * i)) & 0xff);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget());
             NtfsFilesystem orig = NtfsFilesystem.open(new ByteLayer(pristine), false, BlockCache.withDefaultBudget())) {
            Node node = fs.node(n);
            assertThat(node.size()).isEqualTo(100_000);
            byte[] got = new byte[100_000];
            fs.content(node).readFully(0, ByteBuffer.wrap(got));
            byte[] want = new byte[100_000];
            orig.content(orig.node(n)).readFully(0, ByteBuffer.wrap(want, 0, 50_000));
            assertThat(got).isEqualTo(want);
            assertThat(fs.content(node).map(0, 100_000).getLast()).isInstanceOf(io.vdetach.extent.Run.Hole.class);
        }
    }

    @Test
    void mftClaimingTheWholeVolumeCostsNothingExtra() throws Exception {
        // $MFT's data size raised to the whole volume: the unmapped rest is skipped, not allocated or scanned record by record.
        byte[] img = pristine.clone();
        int rec = (int) recordOffset(img, 0);
        int attr = attribute(img, rec, Attribute.DATA);
        long claim = img.length;
        for (int i = 0; i < 8; i++) patch(img, rec, attr + 48 + i - rec, (int) (claim >>> (8 * i)) & 0xff);
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
            assertThat(GuestTree.walk(fs)).isEqualTo(pristineTree);
        }
    }

    @Test
    void randomDamageToTheMftEndsInCorruptionOrSuccess() throws Exception {
        long mft = recordOffset(pristine, 0);
        Random r = new Random(42);
        for (int iter = 0; iter < 60; iter++) {
            byte[] img = pristine.clone();
            int flips = 1 + r.nextInt(30);
            for (int i = 0; i < flips; i++) {
                int at = (int) (mft + r.nextInt(80 * 1024));
                img[at] = (byte) r.nextInt(256);
            }
            int seed = iter;
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(img), false, BlockCache.withDefaultBudget())) {
                    walkEverything(fs, fs.node(fs.rootId()), 0);
                } catch (VdetachException expected) {
                    // corrupt or unsupported: reported, fine
                } catch (Throwable t) {
                    throw new AssertionError("iteration " + seed + ": " + t, t);
                }
            });
        }
    }

    private static void walkEverything(NtfsFilesystem fs, Node dir, int depth) throws Exception {
        if (depth > 64) throw new AssertionError("tree deeper than 64");
        for (DirEntry e : fs.list(dir)) {
            Node n;
            try {
                n = fs.node(e.id());
            } catch (VdetachException perEntry) {
                continue;
            }
            if (n.isDirectory()) walkEverything(fs, n, depth + 1);
            else {
                try {
                    GuestTree.sha256(fs.content(n));
                    fs.largeStreams(n);
                } catch (VdetachException perEntry) {
                    // a damaged file is a per-entry failure
                }
            }
        }
    }

    // --- locating structures in the pristine image (fresh small volume: $MFT is contiguous) ---

    static long record(String... path) throws Exception {
        try (NtfsFilesystem fs = NtfsFilesystem.open(new ByteLayer(pristine), false, BlockCache.withDefaultBudget())) {
            Node cur = fs.node(fs.rootId());
            long id = fs.rootId();
            for (String p : path) {
                id = -1;
                for (DirEntry e : fs.list(cur)) if (new String(e.name(), StandardCharsets.UTF_8).equals(p)) id = e.id();
                if (id < 0) throw new AssertionError("no " + p);
                cur = fs.node(id);
            }
            return id;
        }
    }

    static long recordOffset(byte[] img, long n) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long cluster = (long) (b.getShort(0x0b) & 0xffff) * (b.get(0x0d) & 0xff);
        return b.getLong(0x30) * cluster + n * 1024;
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** The first attribute of {@code type} in the record at {@code rec}, read as stored (fixup bytes are never inside headers we patch). */
    static int attribute(byte[] img, int rec, int type) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        int p = rec + u16(img, rec + 20);
        while (b.getInt(p) != -1) {
            if (b.getInt(p) == type) return p;
            p += b.getInt(p + 4);
        }
        throw new AssertionError("no attribute 0x" + Integer.toHexString(type));
    }

    /** Writes one byte of a record, into the update sequence array when it is a protected stride end. */
    static void patch(byte[] img, int rec, int off, int value) {
        if (off % 512 >= 510) {
            int usa = rec + u16(img, rec + 4);
            img[usa + 2 + 2 * (off / 512) + (off % 512 - 510)] = (byte) value;
        } else {
            img[rec + off] = (byte) value;
        }
    }

    static void setParent(byte[] img, long n, long parent) {
        int rec = (int) recordOffset(img, n);
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        int p = rec + u16(img, rec + 20);
        while (b.getInt(p) != -1) {
            if (b.getInt(p) == Attribute.FILE_NAME) {
                int value = p + u16(img, p + 20);
                for (int i = 0; i < 6; i++) patch(img, rec, value - rec + i, (int) (parent >>> (8 * i)) & 0xff);
                patch(img, rec, value - rec + 6, 0);
                patch(img, rec, value - rec + 7, 0);
            }
            p += b.getInt(p + 4);
        }
    }
}
