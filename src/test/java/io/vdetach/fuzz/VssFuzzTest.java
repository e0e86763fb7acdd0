package io.vdetach.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vdetach.extent.BlockCache;
import io.vdetach.volume.vss.ShadowCopies;
import io.vdetach.volume.vss.ShadowStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Volume Shadow Copies of an NTFS volume: the VSS volume header, the catalog (its block chain and
 * entries), each store's header and information, block lists, range lists and bitmaps, and each
 * store's view of the volume (read through the newer stores), walked. A store that cannot be read
 * is an error of its view only, as for {@code --vss all}. The input is a {@link SparseLayer}
 * volume of up to 1 GiB (the corpus volume is 1 GiB with its catalog at 110 MiB and a block list
 * at 789 MiB); the seed is the corpus volume's VSS metadata and NTFS boot sector only.
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class VssFuzzTest {
    static final long MAX_VOLUME = 1L << 30;
    private static final long READ_BUDGET = 8L << 20;
    /** Store views walked per input. */
    private static final int VIEWS = 4;

    @FuzzTest(maxDuration = "20m")
    void shadowCopies(byte[] input) throws Exception {
        SparseLayer volume = SparseLayer.decode(input, MAX_VOLUME, "fuzz ntfs volume");
        BlockCache cache = new BlockCache(BlockCache.DEFAULT_BUDGET);
        Invariant.onlyOurErrors(() -> {
            ShadowCopies copies = ShadowCopies.read(volume, "fuzz", cache);
            if (copies == null) return;
            copies.warnings();
            LayerWalk walk = new LayerWalk(READ_BUDGET, null);
            for (ShadowStore s : copies.stores()) {
                if (s.index() > VIEWS) break;
                copies.headerProblem(s.index());
                s.created();
                Invariant.onlyOurErrors(() -> walk.walk(copies.view(s.index())));
            }
        });
    }
}
