package io.vdetach.guestfs;

/**
 * One name in a guest directory. The name is the guest's raw bytes (UTF-8 for
 * filesystems that store UTF-16) and is untrusted: it may hold '/', NUL, be "." or "..".
 *
 * @param id the node it names, as accepted by {@link GuestFilesystem#node(long)}
 */
public record DirEntry(byte[] name, long id) {}
