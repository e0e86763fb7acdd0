package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.volume.bitlocker.BitLockerInfo;
import io.vdetach.volume.bitlocker.BitLockerVolume;
import io.vdetach.volume.bitlocker.Secrets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * BitLocker metadata: the volume header (Vista, 7+, To Go), the three FVE metadata blocks (block
 * header, metadata header, validation), their entries and properties (key protectors, the FVEK,
 * description, volume header block), then, when a protector holds a clear key, its AES-CCM
 * unwrapping, the layout (plain, moved and encrypted ranges) and the decrypted volume, walked.
 * No secret is given: a password or recovery key costs a 2^20-round stretch, which is not what
 * is fuzzed here. The input is a {@link SparseLayer} volume of up to 256 MiB (the corpus's are
 * 100-128 MiB with metadata copies far apart); seeds are cryptsetup's BITLK images, metadata only.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BitLockerFuzzTest {
    static final long MAX_VOLUME = 256L << 20;
    private static final long READ_BUDGET = 8L << 20;

    @FuzzTest(maxDuration = "20m")
    void metadata(byte[] input) throws Exception {
        SparseLayer volume = SparseLayer.decode(input, MAX_VOLUME, "fuzz bitlocker volume");
        Invariant.onlyOurErrors(() -> {
            BitLockerVolume bl = BitLockerVolume.detect(volume);
            if (bl == null) return;
            BitLockerInfo info = bl.info();
            info.summary();
            info.createdText();
            BitLockerVolume.Unlocked u = bl.unlock(Secrets.NONE);
            if (u == null) return;
            u.info().summary();
            new LayerWalk(READ_BUDGET, null).walk(u.layer());
        });
    }
}
