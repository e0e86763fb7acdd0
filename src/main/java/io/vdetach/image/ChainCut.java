package io.vdetach.image;

/**
 * Thrown up through the formats opening a chain when, with {@link OpenOptions#allowMissingDelta},
 * a link is missing or unreadable: every image above it is closed on the way up (the formats close
 * what they opened when opening fails), and {@link ImageOpener} reads what lies below it instead.
 *
 * @param what the missing or unreadable link and who names it, for the warning
 * @param below the chain below the missing link, opened; null when nothing names it any more
 */
final class ChainCut extends RuntimeException {
    final transient DiskImage below;
    final String what;

    ChainCut(String what, DiskImage below) {
        super(what, null, false, false);
        this.what = what;
        this.below = below;
    }
}
