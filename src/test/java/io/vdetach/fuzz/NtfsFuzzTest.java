package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.extent.HostFile;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.ntfs.NtfsFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * NTFS. {@code volume}: patches over real volumes (boot sector, $MFT and its runlist and attribute
 * list, MFT records and attributes, $FILE_NAME tree, data runs, compressed and sparse streams,
 * reparse points, named streams); the option bit shows the system files. {@code mftRecord}: one
 * whole MFT record of the generated volume replaced by the input (a selector byte, then the record
 * as the parser sees it after fixups; the harness writes the update sequence so the record is not
 * simply torn). {@code bootSector}: the boot sector and its backup replaced by the input.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NtfsFuzzTest {
    private static final MountOptions SYSTEM = new MountOptions(ZoneOffset.UTC, true);

    private static final class Bases {
        static final PatchedFamily NTFS = new PatchedFamily(
                (volume, option, files) -> GuestWalk.open(new NtfsFormat(), volume, option ? SYSTEM : MountOptions.DEFAULT, files),
                new PatchedFamily.Base("ColinFinck-ntfs/testfs1", () -> FuzzFiles.corpus("ColinFinck-ntfs/testfs1")),
                new PatchedFamily.Base("dftt/7-undel-ntfs/7-ntfs-undel.dd", () -> FuzzFiles.corpus("dftt/7-undel-ntfs/7-ntfs-undel.dd")),
                new PatchedFamily.Base("ntfs.img", () -> FuzzFiles.resource("bases/ntfs.img.gz")));
    }

    /** The generated volume, patched in place by the record and boot sector targets and restored after each input. */
    private static final class Generated {
        static final byte[] IMAGE = FuzzFiles.resource("bases/ntfs.img.gz");
        static final HostFile FILE = HostFile.inMemory(Path.of("ntfs.img"), IMAGE);
        static final ByteBuffer LE = ByteBuffer.wrap(IMAGE).order(ByteOrder.LITTLE_ENDIAN);
        static final int SECTOR = LE.getShort(0x0b) & 0xffff;
        static final int CLUSTER = SECTOR * (LE.get(0x0d) & 0xff);
        static final long MFT = LE.getLong(0x30) * CLUSTER;
        static final int RECORD = LE.get(0x40) > 0 ? LE.get(0x40) * CLUSTER : 1 << -LE.get(0x40);
    }

    @FuzzTest(maxDuration = "20m")
    void volume(byte[] input) throws Exception {
        Bases.NTFS.run(input);
    }

    @FuzzTest(maxDuration = "20m")
    void mftRecord(byte[] input) throws Exception {
        if (input.length < 1) return;
        int at = (int) (Generated.MFT + (long) (input[0] & 0xff) * Generated.RECORD);
        byte[] rec = java.util.Arrays.copyOfRange(Generated.IMAGE, at, at + Generated.RECORD);
        System.arraycopy(input, 1, rec, 0, Math.min(input.length - 1, rec.length));
        protect(rec);
        replaced(at, rec);
    }

    @FuzzTest(maxDuration = "20m")
    void bootSector(byte[] input) throws Exception {
        byte[] sector = new byte[512];
        System.arraycopy(input, 0, sector, 0, Math.min(input.length, 512));
        byte[] backup = java.util.Arrays.copyOfRange(Generated.IMAGE, Generated.IMAGE.length - 512, Generated.IMAGE.length);
        System.arraycopy(sector, 0, Generated.IMAGE, Generated.IMAGE.length - 512, 512);
        try {
            replaced(0, sector);
        } finally {
            System.arraycopy(backup, 0, Generated.IMAGE, Generated.IMAGE.length - 512, 512);
        }
    }

    /** Walks the generated volume with {@code bytes} written at {@code at}, then puts the old bytes back. */
    private static void replaced(int at, byte[] bytes) throws Exception {
        byte[] old = java.util.Arrays.copyOfRange(Generated.IMAGE, at, at + bytes.length);
        System.arraycopy(bytes, 0, Generated.IMAGE, at, bytes.length);
        try {
            Invariant.onlyOurErrors(() -> GuestWalk.open(new NtfsFormat(), Generated.FILE, MountOptions.DEFAULT));
        } finally {
            System.arraycopy(old, 0, Generated.IMAGE, at, old.length);
        }
    }

    /**
     * Writes the update sequence the way NTFS does before a record goes to disk: each 512-byte
     * stride's last two bytes move into the update sequence array and the sequence number takes
     * their place. A record whose array does not fit is left as it is (the parser calls it torn).
     */
    static void protect(byte[] rec) {
        ByteBuffer b = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
        int usa = b.getShort(4) & 0xffff;
        int count = b.getShort(6) & 0xffff;
        int strides = rec.length / 512;
        if (count != strides + 1 || usa < 8 || usa + 2 * count > 510) return;
        for (int i = 0; i < strides; i++) {
            int end = (i + 1) * 512 - 2;
            rec[usa + 2 + 2 * i] = rec[end];
            rec[usa + 3 + 2 * i] = rec[end + 1];
            rec[end] = rec[usa];
            rec[end + 1] = rec[usa + 1];
        }
    }
}
