/**
 * NTFS reader: every file of a Windows volume, shown as ntfs-3g shows it (mounted with
 * {@code ro,streams_interface=xattr}), plus what ntfs-3g hides.
 *
 * <ul>
 * <li><b>Tree</b>: built in one sequential pass over the MFT from each record's $FILE_NAME parent
 *     references ({@link io.vdetach.guestfs.ntfs.DirectoryTree}), not from $I30 indexes: exact
 *     on a consistent volume, no random index reads, immune to index loops. DOS-only names are
 *     skipped; a name whose parent is not an in-use directory of the referenced sequence number
 *     is an orphan and not listed; a directory keeps its first parent only (no cycles).
 * <li><b>Names</b>: UTF-16LE to UTF-8; unpaired surrogates as 3-byte WTF-8 (ntfs-3g hides such names).
 * <li><b>Metadata</b>: mode 0777, uid/gid 0, mtime/atime/ctime from $STANDARD_INFORMATION (100 ns);
 *     creation time and Windows attributes as the node's btime and fileAttributes (the evidence
 *     outputs carry them); with --ntfs-xattrs also as {@code user.ntfs.crtime} (8-byte LE NT time)
 *     and {@code user.ntfs.attrib} (4-byte LE) on files and directories.
 * <li><b>Streams</b>: named $DATA streams up to 64 KiB are {@code user.<name>} xattrs; larger ones
 *     come from {@code largeStreams(node)}, to be written as {@code name:stream} files.
 * <li><b>Links and special files</b>: several names → one node id (hard links); symbolic links and
 *     junctions → symlinks with ntfs-3g's target text, its mount point taken as "" (absolute
 *     targets begin with "/" at the volume root, unresolved ones with "/.NTFS-3G/X:");
 *     Interix symlinks, devices, FIFOs and sockets as ntfs-3g creates them.
 * <li><b>Data</b>: resident (materialised), runs mapped onto the volume, sparse runs and bytes past
 *     the initialized size as holes, LZNT1 units materialised, EFS raw with a note, WOF
 *     XPRESS4K/8K/16K and LZX decompressed (materialised); dedup and other reparse tags noted.
 * <li><b>Damage</b>: records with bad update sequences are skipped with a warning; bad structures
 *     throw {@link io.vdetach.error.CorruptImageException} naming the record and offset.
 * </ul>
 */
package io.vdetach.guestfs.ntfs;
