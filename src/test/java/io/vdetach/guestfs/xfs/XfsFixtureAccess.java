package io.vdetach.guestfs.xfs;

import java.nio.file.Path;

/** Lets tests of other packages build the XFS fixture image (the fixture itself stays package-private). */
public final class XfsFixtureAccess {
    private XfsFixtureAccess() {}

    /** A populated XFS image ("small" tree: everything but the 12,000-entry directory). */
    public static Path build(Path dir, String name, int sizeMb, String mkfsOptions) throws Exception {
        return XfsFixture.build(dir, name, sizeMb, mkfsOptions, "small");
    }
}
