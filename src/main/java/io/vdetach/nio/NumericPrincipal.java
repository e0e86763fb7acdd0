package io.vdetach.nio;

import java.nio.file.attribute.GroupPrincipal;

/**
 * An owner or group as the guest stores it: a number ("1000"). vdetach does not read the guest's
 * account database, so names are never guessed.
 */
record NumericPrincipal(long id, boolean group) implements GroupPrincipal {
    @Override
    public String getName() { return Long.toString(id); }

    @Override
    public String toString() { return getName(); }
}
