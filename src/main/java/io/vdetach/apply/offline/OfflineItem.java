package io.vdetach.apply.offline;

import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.Node;

import java.util.List;

/**
 * One entry to create under the destination directory.
 *
 * @param path name components below the destination (already sanitised: no "/", NUL, "." or
 *     ".."; 1–255 bytes each); an empty path gives the destination directory's own metadata
 * @param node metadata; items with the same {@code node.id()} (not directories) become hard links
 *     of one inode, and the first such item's runs and content are used
 * @param runs the file's bytes composed down the stack: {@link Run.Mapped} onto the device's own
 *     {@link io.vdetach.extent.HostFile}, or onto a file of the host read through it (the image,
 *     {@link OfflineSession#image()}, a file of its chain), are donation candidates when an image
 *     file holds those blocks; everything else is copied; null or empty for non-files
 * @param content reads any byte range of the file (for copied blocks); null for non-files
 */
public record OfflineItem(byte[][] path, Node node, List<Run> runs, Layer content) {}
