package io.vdetach.guestfs;

import io.vdetach.extent.Layer;

/**
 * A named data stream of a file that does not fit in a host xattr (NTFS alternate data streams
 * above 64 KiB). Extraction writes it as a file named {@code <file name>:<stream name>} beside
 * the file and lists it in the report.
 *
 * @param name the stream's name as raw bytes (UTF-8 for NTFS), untrusted like any guest name
 * @param content its data, mapped like {@link GuestFilesystem#content}
 */
public record NamedStream(byte[] name, Layer content) {}
