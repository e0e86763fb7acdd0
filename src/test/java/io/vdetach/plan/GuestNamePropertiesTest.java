package io.vdetach.plan;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Whatever bytes a guest puts in a name, the host component stays one safe component. */
class GuestNamePropertiesTest {

    @Property(tries = 2000)
    void sanitizedNamesAreSingleSafeComponents(@ForAll @Size(max = 600) byte[] raw) {
        switch (GuestName.sanitize(raw)) {
            case GuestName.Safe s -> assertSafe(s.name());
            case GuestName.Renamed r -> assertSafe(r.name());
            case GuestName.Refused r -> assertThat(raw.length == 0 || isDots(raw)).isTrue();
        }
    }

    @Property(tries = 500)
    void renamedConflictsStaySafe(@ForAll @Size(min = 1, max = 255) byte[] raw, @ForAll int n) {
        if (!(GuestName.sanitize(raw) instanceof GuestName.Safe s)) return;
        assertSafe(ConflictPolicy.renamed(s.name(), Math.floorMod(n, 100000) + 1));
    }

    private static void assertSafe(byte[] name) {
        assertThat(name.length).isBetween(1, GuestName.NAME_MAX);
        for (byte b : name) assertThat(b).isNotEqualTo((byte) '/').isNotEqualTo((byte) 0);
        assertThat(isDots(name)).isFalse();
    }

    private static boolean isDots(byte[] b) {
        return (b.length == 1 && b[0] == '.') || (b.length == 2 && b[0] == '.' && b[1] == '.');
    }
}
