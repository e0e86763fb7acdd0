package io.vdetach.guestfs.fat;

import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import java.util.Set;

/** Lets the exFAT tests share the tolerant walker of {@link FatCorruptTest}. */
public final class FatCorruptTestAccess {
    private FatCorruptTestAccess() {}

    public static void walkTolerant(GuestFilesystem fs, Node dir, Set<Long> seen, int depth) throws Exception {
        FatCorruptTest.walkTolerant(fs, dir, seen, depth);
    }
}
