package io.vdetach.volume.lvm;

import java.util.List;

/**
 * A striped (or linear: one stripe) segment of a logical volume, in bytes of the LV.
 * dm-stripe order: chunk {@code c} of the segment lies on stripe {@code c % n}, at chunk
 * {@code c / n} of that stripe's area.
 */
record LvmSegment(long start, long length, long chunk, List<LvmStripe> stripes) {
    long end() { return start + length; }
}
