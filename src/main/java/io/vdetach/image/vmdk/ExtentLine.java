package io.vdetach.image.vmdk;

/**
 * One line of the descriptor's extent description, e.g. {@code RW 20480 SPARSE "disk-s001.vmdk"}
 * or {@code RW 4192256 FLAT "disk-flat.vmdk" 0} (spec, "Extent Descriptions").
 *
 * @param sectors size of the extent in 512-byte sectors
 * @param fileName null for ZERO extents
 * @param offset sectors into the file where a FLAT/VMFS extent starts
 * @param at the line's byte offset in the descriptor's file
 */
record ExtentLine(String access, long sectors, String type, String fileName, long offset, int lineNumber, long at) {}
