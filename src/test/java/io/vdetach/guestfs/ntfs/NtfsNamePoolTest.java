package io.vdetach.guestfs.ntfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The directory tree's name pool gives back every name as stored, across its growth and the trim. */
class NtfsNamePoolTest {
    @Test
    void namesComeBackAsStored() {
        NamePool pool = new NamePool();
        byte[] longest = new byte[765]; // 255 UTF-16 units of 3 UTF-8 bytes each
        Arrays.fill(longest, (byte) 0xe2);
        List<byte[]> names = new ArrayList<>(List.of(new byte[0], longest, "é".getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 100_000; i++) names.add(("f" + i).getBytes(StandardCharsets.UTF_8));
        int[] at = new int[names.size()];
        for (int i = 0; i < at.length; i++) at[i] = pool.add(names.get(i));
        pool.trim();
        for (int i = 0; i < at.length; i++) {
            assertThat(pool.length(at[i])).isEqualTo(names.get(i).length);
            assertThat(pool.get(at[i])).isEqualTo(names.get(i));
        }
    }
}
