package io.vdetach.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The host blocks a file's written runs fill: each block once, shared runs and holes none. */
class HostSpaceTest {
    private static PlannedRun run(long offset, long length, RunClass kind) {
        return new PlannedRun(offset, length, kind, null, 0, kind == RunClass.SHARE || kind == RunClass.HOLE ? "" : "why", false);
    }

    @Test
    void aTailAfterSharedBlocksIsOneBlock() {
        List<PlannedRun> runs = List.of(run(0, 8192, RunClass.SHARE), run(8192, 100, RunClass.COPY));
        assertThat(HostSpace.blocksWritten(runs, 4096)).isEqualTo(1);
    }

    @Test
    void runsMeetingInsideABlockCountItOnce() {
        // a head partial block copied, a decoded run from the middle of that block on, a hole, a tail
        List<PlannedRun> runs = List.of(run(0, 1000, RunClass.COPY), run(1000, 9000, RunClass.MATERIALISE),
                run(10000, 10000, RunClass.HOLE), run(20000, 10, RunClass.COPY));
        // blocks 0-2 (0..9999), block 4 (20000..20009)
        assertThat(HostSpace.blocksWritten(runs, 4096)).isEqualTo(4);
    }

    @Test
    void sharedHolesAndEmptyFilesWriteNothing() {
        assertThat(HostSpace.blocksWritten(List.of(), 4096)).isZero();
        assertThat(HostSpace.blocksWritten(List.of(run(0, 4096, RunClass.SHARE), run(4096, 1 << 20, RunClass.HOLE)), 4096)).isZero();
    }

    @Test
    void peakIsBlocksPlusEntries() {
        HostSpace s = HostSpace.of(10, 4096, 1680);
        assertThat(s.bytesWritten()).isEqualTo(40960);
        assertThat(s.peakBytes()).isEqualTo(40960 + 1680);
    }
}
