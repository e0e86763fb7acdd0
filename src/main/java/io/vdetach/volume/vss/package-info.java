/**
 * Volume Shadow Snapshots (VSS) of an NTFS volume, read from the volume itself: the catalog of
 * stores, and each store as a view of the volume as it was when that shadow copy was made.
 *
 * <p>Written from the public description of the format: Joachim Metz, "Volume Shadow Snapshot
 * (VSS) format" (libyal/libvshadow, documentation/, version 0.0.13). Section names in comments
 * refer to it. No code of libvshadow or dissect was used.
 *
 * <ul>
 * <li><b>Catalog</b> ({@link io.vdetach.volume.vss.ShadowCopies}): the volume header at 0x1e00
 *     names the first catalog block; type 0x02 entries describe a shadow copy (identifier, creation
 *     time, volume size), type 0x03 entries where its store lies. Stores are numbered 1 (oldest) to
 *     n (newest) by creation time.
 * <li><b>Store view</b> ({@link io.vdetach.volume.vss.StoreView}): store N's volume is the live
 *     volume with the stores N..n applied from the newest down to N ("Reading snapshot data"): a
 *     block one of them preserved maps to the preserved copy, a forwarder to the block it names in
 *     the next newer state, an overlay replaces the 512-byte sectors its bitmap names, and a block
 *     the newest store's bitmaps mark as not in use reads as zeros when N is the newest store. Every
 *     run is a {@link io.vdetach.extent.Run.Mapped} onto the live volume (or a hole): nothing is
 *     copied, and what no store changed shares with the image exactly like the live volume.
 * <li><b>Bounds</b>: every chain of blocks is bounded and checked for loops, every offset for the
 *     volume's end, and a store's index for a named maximum; a store that breaks one is an error of
 *     that store (and of the older ones, which read through it), never of the live volume.
 * </ul>
 */
package io.vdetach.volume.vss;
