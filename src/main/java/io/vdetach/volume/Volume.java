package io.vdetach.volume;

import io.vdetach.extent.Layer;

/**
 * One volume of a disk: a partition, a logical volume, or the whole unpartitioned disk.
 *
 * @param name output directory name: {@code p1}, {@code p5}, {@code vg-lv} or {@code disk}
 * @param scheme where it was found: "gpt", "mbr", "lvm" or "none"
 * @param start byte offset on the disk (of the first byte, for LVM the first segment)
 * @param type the partition type as people call it ("Linux filesystem", "0x83 Linux")
 * @param label the GPT partition name or LV name; empty when none
 * @param layer the volume's bytes, mapped onto the disk
 */
public record Volume(String name, String scheme, long start, long size, String type, String label, Layer layer) {}
