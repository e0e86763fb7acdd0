package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * ext4 stores POSIX ACLs in its own compact form (ext4_acl_header version 1, 4-byte entries
 * for the owner/group/mask/other tags, 8-byte ones for named users and groups); Linux shows
 * them through getxattr as posix_acl_xattr (version 2, every entry 8 bytes). This converts the
 * first into the second, so extracted ACLs equal what the kernel shows.
 */
final class PosixAcl {
    private PosixAcl() {}

    private static final int EXT4_ACL_VERSION = 1;
    private static final int XATTR_ACL_VERSION = 2;
    private static final int ACL_USER = 0x02;
    private static final int ACL_GROUP = 0x08;
    private static final int UNDEFINED_ID = -1;

    static byte[] toXattr(byte[] disk, String fs, String structure, long offset) {
        ByteBuffer in = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        if (disk.length < 4 || in.getInt(0) != EXT4_ACL_VERSION) {
            throw new CorruptImageException(fs, structure, offset, "POSIX ACL with a bad version");
        }
        // At most one 8-byte output entry per 4 input bytes.
        ByteBuffer out = ByteBuffer.allocate(4 + 2 * (disk.length - 4)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(XATTR_ACL_VERSION);
        int pos = 4;
        while (pos < disk.length) {
            if (disk.length - pos < 4) throw new CorruptImageException(fs, structure, offset + pos, "POSIX ACL entry cut short");
            int tag = in.getShort(pos) & 0xffff;
            int perm = in.getShort(pos + 2) & 0xffff;
            int id = UNDEFINED_ID;
            if (tag == ACL_USER || tag == ACL_GROUP) {
                if (disk.length - pos < 8) throw new CorruptImageException(fs, structure, offset + pos, "POSIX ACL entry cut short");
                id = in.getInt(pos + 4);
                pos += 8;
            } else {
                pos += 4;
            }
            out.putShort((short) tag).putShort((short) perm).putInt(id);
        }
        byte[] r = new byte[out.position()];
        out.flip().get(r);
        return r;
    }
}
