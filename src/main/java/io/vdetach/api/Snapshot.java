package io.vdetach.api;

import java.time.Instant;

/**
 * A snapshot kept inside an image (qcow2's internal snapshots), as {@code qemu-img snapshot -l}
 * lists it; {@link ImageOptions#withSnapshot} opens the disk as it was then.
 *
 * @param size the guest disk's size at the snapshot
 * @param date when it was taken; null when the image does not say
 */
public record Snapshot(String id, String name, long size, Instant date) {}
