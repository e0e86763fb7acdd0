package io.vdetach.guestfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The usedBytes()/usedEntries() estimates: damage means "unknown", host failures and bugs surface. */
class AllocationTest {
    @TempDir Path dir;

    @Test
    void damagedOrTruncatedStructuresMeanUnknown() {
        assertThat(Allocation.estimate(() -> {
            throw new CorruptImageException("ntfs", "MFT record 6", 24576, "update sequence mismatch");
        })).isEqualTo(-1);
        assertThat(Allocation.estimate(() -> {
            throw new EOFException("read past end");
        })).isEqualTo(-1);
    }

    @Test
    void hostFailuresAndBugsSurface() {
        assertThatThrownBy(() -> Allocation.estimate(() -> {
            throw new IOException("Input/output error");
        })).isInstanceOf(HostException.class).hasMessageContaining("Input/output error");
        assertThatThrownBy(() -> Allocation.estimate(() -> {
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void setBitsCountsAcrossReads() throws Exception {
        byte[] bits = new byte[(1 << 20) + 3]; // more than one read of the counter
        bits[0] = (byte) 0xff;
        bits[1 << 20] = 0x01;
        bits[(1 << 20) + 2] = (byte) 0x80; // past the bytes asked for
        Path f = dir.resolve("bitmap");
        Files.write(f, bits);
        try (HostFile h = HostFile.open(f)) {
            assertThat(Allocation.setBits(h, (1 << 20) + 1)).isEqualTo(9);
        }
    }
}
