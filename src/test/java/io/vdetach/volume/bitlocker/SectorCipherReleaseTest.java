package io.vdetach.volume.bitlocker;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A sector cipher is garbage once nothing refers to it, even after a long-lived thread used it:
 * per-thread cipher state that refers back to its cipher (a ThreadLocal value) kept every
 * volume a thread ever decrypted alive, and the fuzzer's single thread ran out of heap (fuzz
 * finding F1, docs/fuzzing.md). The same holds for a library reading thousands of images.
 */
class SectorCipherReleaseTest {

    @Test
    void ciphersUsedByThisThreadAreReleased() throws Exception {
        List<WeakReference<Object>> used = new ArrayList<>();
        byte[] sectors = new byte[4096];
        for (int i = 0; i < 50; i++) {
            byte[] key = new byte[64];
            key[0] = (byte) i;
            XtsSectors xts = new XtsSectors(key, 512);
            xts.decrypt(0, sectors, 0, sectors.length);
            CbcSectors cbc = new CbcSectors(new byte[32], new byte[32], 512);
            cbc.decrypt(0, sectors, 0, sectors.length);
            used.add(new WeakReference<>(xts));
            used.add(new WeakReference<>(cbc));
        }
        for (int i = 0; i < 20 && used.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(used.stream().filter(r -> r.get() != null).count()).as("ciphers still reachable").isZero();
    }
}
