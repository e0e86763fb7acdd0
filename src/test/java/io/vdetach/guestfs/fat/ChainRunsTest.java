package io.vdetach.guestfs.fat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChainRunsTest {

    @Test
    void coalescesAndSeesEveryKindOfRepeat() {
        ChainRuns r = new ChainRuns(10);
        assertThat(r.add(11)).isTrue();
        assertThat(r.add(5)).isTrue();
        assertThat(r.add(6)).isTrue();
        assertThat(r.add(7)).isTrue();
        assertThat(r.add(8)).isTrue();
        assertThat(r.add(9)).isTrue();
        assertThat(r.add(10)).as("extending into an earlier run").isFalse();
        ChainRuns s = new ChainRuns(3);
        s.add(4);
        assertThat(s.add(3)).as("back into the open run").isFalse();
        ChainRuns t = new ChainRuns(20);
        t.add(21);
        t.add(30);
        assertThat(t.add(21)).as("into the middle of a closed run").isFalse();
        ChainRuns u = new ChainRuns(2);
        u.add(3);
        u.add(7);
        assertThat(u.finish()).containsExactly(new ChainRuns.ClusterRun(2, 2), new ChainRuns.ClusterRun(7, 1));
    }

    @Test
    void agreesWithASetOnRandomChains() {
        Random rnd = new Random(1);
        for (int round = 0; round < 2000; round++) {
            long first = 2 + rnd.nextInt(40);
            ChainRuns r = new ChainRuns(first);
            Set<Long> seen = new HashSet<>(Set.of(first));
            long c = first;
            for (int i = 0; i < 60; i++) {
                long next = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(40) : c + 1;
                boolean fresh = seen.add(next);
                assertThat(r.add(next)).isEqualTo(fresh);
                if (!fresh) break;
                c = next;
            }
        }
    }
}
