package io.vdetach.volume.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import io.vdetach.volume.Volume;
import io.vdetach.volume.VolumeScanner;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest-controlled counts meeting a lookup: a PV and VG made by the real lvm2 tools, whose metadata
 * text is then replaced by LVM text listing 250,000 LVs with snapshot segments (each the previous
 * one's copy-on-write store), and an LV of 150,000 one-sector segments read sector by sector. Both
 * finish in seconds: the copy-on-write names are a set, the segment of a request is found by
 * binary search.
 */
class LvmHostileCountsTest {
    @TempDir Path dir;
    static final String MAGIC = " LVM2 x[5A%r0N*>";

    /** A 128 MiB PV with a 20 MiB metadata area and a VG "vgh" (extent 4 KiB); returns the image. */
    private Path pv() throws Exception {
        Need.root();
        Need.tools("lvm", "losetup");
        Path img = dir.resolve("pv.img");
        Sh.run("truncate", "-s", "128M", img.toString());
        try (LvmTool lvm = new LvmTool(dir)) {
            String dev = lvm.attach(img, 0, 128 << 20);
            lvm.must("pvcreate", "-ff", "-y", "--metadatasize", "20m", dev);
            lvm.must("vgcreate", "-s", "4k", "vgh", dev);
        }
        return img;
    }

    /** Replaces the VG's current metadata text by its own text with {@code lvs} as its logical_volumes section. */
    private static void rewrite(Path img, String lvs) throws Exception {
        rewrite(img, lvs, 8);
    }

    /** As {@link #rewrite(Path, String)}, with the VG's extent size set to {@code extentSectors}. */
    private static void rewrite(Path img, String lvs, int extentSectors) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            byte[] head = new byte[1 << 16];
            f.readFully(head);
            int mda = new String(head, StandardCharsets.ISO_8859_1).indexOf(MAGIC) - 4;
            assertThat(mda).isPositive();
            ByteBuffer h = ByteBuffer.wrap(head, mda, 512).slice().order(ByteOrder.LITTLE_ENDIAN);
            long off = h.getLong(40), len = h.getLong(48);
            byte[] text = new byte[(int) len];
            f.seek(mda + off);
            f.readFully(text);
            String t = new String(text, StandardCharsets.ISO_8859_1);
            // the VG section "vgh { … }" ends where its braces balance
            int start = t.indexOf("vgh {"), depth = 0, end = -1;
            for (int i = start; i < t.length() && end < 0; i++) {
                if (t.charAt(i) == '{') depth++;
                if (t.charAt(i) == '}' && --depth == 0) end = i;
            }
            String crafted = (t.substring(0, end) + "logical_volumes {\n" + lvs + "}\n" + t.substring(end))
                    .replace("extent_size = 8\n", "extent_size = " + extentSectors + "\n");
            byte[] out = crafted.getBytes(StandardCharsets.ISO_8859_1);
            f.seek(mda + 512);
            f.write(out);
            ByteBuffer upd = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(512).putLong(out.length);
            f.seek(mda + 40);
            f.write(upd.array());
        }
    }

    @Test
    void aQuarterMillionSnapshotLvsAreListedInSeconds() throws Exception {
        Path img = pv();
        int n = 250_000;
        StringBuilder lvs = new StringBuilder(n * 60);
        for (int i = 0; i < n; i++) {
            lvs.append('l').append(i).append("{segment1{type=\"snapshot\"cow_store=\"l").append(i + 1)
                    .append("\"}}\n");
        }
        rewrite(img, lvs.toString());
        List<Volume> v = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (HostFile f = HostFile.open(img)) {
                return VolumeScanner.scan(f);
            }
        });
        assertThat(v).hasSize(n - 1); // l0 is no one's store and not visible
        assertThat(v).allMatch(x -> x.type().contains("snapshot") && x.size() == 0);
    }

    @Test
    void anLvOfAHundredFiftyThousandSegmentsMapsInSmallPiecesQuickly() throws Exception {
        Path img = pv();
        int n = 150_000;
        StringBuilder seg = new StringBuilder("many{status=[\"VISIBLE\"]segment_count=" + n + "\n");
        for (int i = 0; i < n; i++) {
            // one 512-byte extent each, in reverse order on the PV so no two neighbours merge
            seg.append("segment").append(i + 1).append("{start_extent=").append(i).append(" extent_count=1 type=\"striped\"")
                    .append(" stripe_count=1 stripes=[\"pv0\",").append(n - 1 - i).append("]}");
        }
        rewrite(img, seg.append("}\n").toString(), 1);
        try (HostFile f = HostFile.open(img)) {
            Volume lv = VolumeScanner.scan(f).getFirst();
            assertThat(lv.name()).isEqualTo("vgh-many");
            assertThat(lv.size()).isEqualTo(n * 512L);
            long mapped = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                long total = 0;
                for (long at = 0; at < lv.size(); at += 512) {
                    for (Run r : lv.layer().map(at, 512)) total += r instanceof Run.Mapped ? r.length() : 0;
                }
                return total;
            });
            assertThat(mapped).isEqualTo(lv.size());
        }
    }
}
