package io.vdetach.evidence;

import io.vdetach.guestfs.Xattr;
import java.time.Instant;
import java.util.List;

/**
 * What a tar member says of itself besides its data.
 *
 * @param path raw bytes of the path inside the archive ("p1/etc/hosts"), any bytes but NUL
 * @param mode permission bits with setuid/setgid/sticky (07777)
 * @param atime null when the guest keeps none
 * @param ctime null when the guest keeps none
 */
public record TarEntry(byte[] path, int mode, long uid, long gid, Instant mtime, Instant atime, Instant ctime,
                       List<Xattr> xattrs) {}
