package io.vdetach.guestfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.exfat.ExfatFilesystem;
import io.vdetach.guestfs.fat.FatFilesystem;
import io.vdetach.guestfs.ntfs.NtfsFilesystem;
import io.vdetach.testkit.LoopMount;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The figures behind the progress line's ETA for NTFS, FAT and exFAT equal what the real
 * drivers and checkers count: ntfs-3g's statfs (it counts $Bitmap), dump.exfat's cluster
 * counts, fsck.fat's "used/total clusters".
 */
class UsedSpaceTest {
    private Path work;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("vdetach-used");
    }

    @AfterEach
    void tearDown() {
        if (work != null) Sh.exec(null, "rm", "-rf", work.toString());
    }

    /** Writes 30 files of 1-200 KiB and returns how many. */
    private static int populate(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        for (int i = 0; i < 30; i++) {
            Files.write(dir.resolve((i % 2 == 0 ? "sub/" : "") + "f" + i + ".bin"), new byte[1024 + i * 7000]);
        }
        return 30;
    }

    /** (blocks - free blocks) * block size of a mounted filesystem, as statfs says. */
    private static long statfsUsed(Path mount) {
        String[] f = Sh.run("stat", "-f", "-c", "%b %f %S", mount.toString()).trim().split(" ");
        return (Long.parseLong(f[0]) - Long.parseLong(f[1])) * Long.parseLong(f[2]);
    }

    @Test
    void ntfsCountsWhatNtfs3gCounts() throws Exception {
        Need.root();
        Need.tools("mkntfs", "ntfs-3g");
        Path img = work.resolve("ntfs.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkntfs", "-q", "-F", "-f", img.toString());
        int files;
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "ntfs-3g", "")) {
            files = populate(m.path());
        }
        long oracle;
        try (LoopMount m = LoopMount.readOnly(img, 0, 0, "ntfs-3g", "")) {
            oracle = statfsUsed(m.path());
        }
        try (HostFile f = HostFile.open(img); NtfsFilesystem fs = NtfsFilesystem.open(f, false, BlockCache.withDefaultBudget())) {
            assertThat(fs.usedBytes()).isEqualTo(oracle);
            assertThat(fs.usedEntries()).isGreaterThan(files + 2).isLessThan(files + 40); // plus the system files
        }
    }

    @Test
    void exfatCountsWhatExfatFuseCounts() throws Exception {
        Need.root();
        Need.tools("mkfs.exfat", "mount.exfat-fuse", "dump.exfat");
        Path img = work.resolve("exfat.img");
        Sh.run("truncate", "-s", "64M", img.toString());
        Sh.run("mkfs.exfat", "-c", "4096", img.toString());
        try (LoopMount m = LoopMount.readWrite(img, 0, 0, "exfat-fuse", "")) {
            populate(m.path());
        }
        // dump.exfat (exfatprogs) counts the allocation bitmap itself: "Total Clusters" and "Free Clusters"
        String dump = Sh.run("dump.exfat", img.toString());
        Matcher total = Pattern.compile("Total Clusters:\\s+(\\d+)").matcher(dump);
        Matcher free = Pattern.compile("Free Clusters:\\s+(\\d+)").matcher(dump);
        Matcher size = Pattern.compile("Cluster size:\\s+(\\d+)").matcher(dump);
        assertThat(total.find() && free.find() && size.find()).as(dump).isTrue();
        long oracle = (Long.parseLong(total.group(1)) - Long.parseLong(free.group(1))) * Long.parseLong(size.group(1));
        try (HostFile f = HostFile.open(img); ExfatFilesystem fs = ExfatFilesystem.open(f, BlockCache.withDefaultBudget())) {
            assertThat(fs.usedBytes()).isEqualTo(oracle);
        }
    }

    @Test
    void fatCountsWhatFsckFatCounts() throws Exception {
        Need.tools("mkfs.vfat", "mcopy", "fsck.fat");
        Path src = work.resolve("src");
        populate(src);
        for (String bits : new String[] {"12", "16", "32"}) {
            Path img = work.resolve("fat" + bits + ".img");
            Sh.run("truncate", "-s", bits.equals("32") ? "300M" : bits.equals("16") ? "64M" : "8M", img.toString());
            Sh.run("mkfs.vfat", "-F", bits, img.toString());
            Sh.bash("cd '" + src + "' && for f in * ; do mcopy -s -i '" + img + "' \"$f\" ::/ ; done");
            // fsck.fat -v ends with "<image>: N files, USED/TOTAL clusters"
            String out = Sh.exec(null, "fsck.fat", "-n", "-v", img.toString()).out();
            Matcher mm = Pattern.compile("(\\d+)/(\\d+) clusters").matcher(out);
            assertThat(mm.find()).as(out).isTrue();
            long usedClusters = Long.parseLong(mm.group(1));
            try (HostFile f = HostFile.open(img); FatFilesystem fs = FatFilesystem.open(f, ZoneOffset.UTC, BlockCache.withDefaultBudget())) {
                assertThat(fs.usedBytes()).as("FAT" + bits).isEqualTo(usedClusters * fs.blockSize());
            }
        }
    }
}
