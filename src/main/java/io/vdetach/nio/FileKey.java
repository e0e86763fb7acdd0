package io.vdetach.nio;

/**
 * What {@link java.nio.file.attribute.BasicFileAttributes#fileKey()} returns: equal for two paths
 * of one file system that name one file (hard links), so a walk that follows links sees cycles.
 *
 * @param volume "" for the image's root
 * @param id the filesystem's number of the file; -1 for the image's root
 * @param stream the named stream, or null for the file itself
 */
record FileKey(GuestFileSystem fs, String volume, long id, String stream) {}
