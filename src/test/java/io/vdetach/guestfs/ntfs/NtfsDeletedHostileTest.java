package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Corpus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile deleted records (DFTT test 7 patched): sing1.dat's runlist pointed into the $MFT itself,
 * and dir1's parent reference pointed at dir2, its own child, so dir1 and dir2 name each other.
 * --deleted ends with exit 1 in bounded time: the errors are reported, the entries still listed
 * (sing1.dat by its name only, dir1, dir2 and frag3.dat as orphans), nothing loops.
 */
class NtfsDeletedHostileTest {
    @TempDir Path dir;

    @Test
    void runlistIntoTheMftAndAParentCycle() throws Exception {
        Path img = dir.resolve("hostile.dd");
        Files.copy(Corpus.file("dftt/7-undel-ntfs/7-ntfs-undel.dd"), img);
        img.toFile().setWritable(true);
        long runAt;
        long parentAt;
        long newParent;
        byte[] run;
        try (HostFile f = HostFile.open(img)) {
            BootSector boot = BootSector.parse(f.readBytes(0, 512), 0);
            Mft mft = Mft.open(f, boot, BlockCache.withDefaultBudget());
            long mftLcn = mft.volumeExtents().getFirst()[0] / boot.clusterSize();
            // sing1.dat (record 31): its one run "21 01 <lcn16>" now names the $MFT's first cluster
            int data = attribute(mft.record(31), Attribute.DATA);
            ByteBuffer r31 = mft.record(31);
            int runs = data + (r31.getShort(data + 32) & 0xffff);
            assertThat(r31.get(runs) & 0xff).isEqualTo(0x21);
            run = new byte[] {0x21, 0x01, (byte) mftLcn, (byte) (mftLcn >> 8)};
            assertThat(mftLcn).isLessThan(0x8000);
            runAt = mft.offsetOf(31) + runs;
            // dir1 (record 33): its $FILE_NAME's parent is now dir2 (record 34) with dir2's own sequence
            ByteBuffer r33 = mft.record(33);
            int fn = attribute(r33, Attribute.FILE_NAME);
            parentAt = mft.offsetOf(33) + fn + (r33.getShort(fn + 20) & 0xffff);
            int seq34 = mft.record(34).getShort(16) & 0xffff;
            newParent = 34L | (long) seq34 << 48;
            // the patched bytes stay clear of the update sequence's stride ends (bytes 510-511 of each 512)
            assertThat((runs % 512) + 4).isLessThanOrEqualTo(510);
            assertThat(((parentAt - mft.offsetOf(33)) % 512) + 8).isLessThanOrEqualTo(510);
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(run), runAt);
            ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, newParent), parentAt);
        }
        Path dest = dir.resolve("out");
        Cli.Run r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> Cli.run("extract", "--deleted", "--no-progress", img.toString(), dest.toString()));
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).contains("points into the $MFT itself").contains("cycle");
        assertThat(dest.resolve("disk/$Deleted/sing1.dat")).isEmptyFile();
        assertThat(dest.resolve("disk/$Orphan/35-frag3.dat")).exists();
        assertThat(dest.resolve("disk/$Deleted/dir1")).doesNotExist();
        Cli.Run ls = Cli.run("ls", "--deleted", img.toString());
        assertThat(ls.exit()).isEqualTo(1);
        assertThat(ls.out()).contains("disk/$Deleted/sing1.dat  (deleted) names only");
    }

    /** The offset of the record's first attribute of {@code type}. */
    private static int attribute(ByteBuffer rec, int type) {
        int p = rec.getShort(20) & 0xffff;
        while (rec.getInt(p) != type) {
            assertThat(rec.getInt(p)).isNotEqualTo(Attribute.END);
            p += rec.getInt(p + 4);
        }
        return p;
    }
}
