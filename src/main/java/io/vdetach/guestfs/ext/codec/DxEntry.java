package io.vdetach.guestfs.ext.codec;

/**
 * dx_entry ("Hash Tree Directories"): names hashing to {@code hash} or above (up to the next
 * entry's) are under logical block {@code block} of the directory. The first entry of a node has
 * no hash: its place holds dx_countlimit.
 */
public record DxEntry(long hash, long block) {
    /** Only the low 28 bits of a dx_entry's block are the block (dx_get_block). */
    static final long BLOCK_MASK = 0x0FFFFFFFL;
}
