package io.vdetach.apply.offline.ext4;

/** {@code count} blocks from block {@code start} of the host filesystem. */
public record BlockRun(long start, long count) {
    public long end() { return start + count; }
}
