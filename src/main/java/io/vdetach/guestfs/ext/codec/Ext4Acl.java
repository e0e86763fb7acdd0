package io.vdetach.guestfs.ext.codec;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * POSIX ACLs as ext4 stores them (ext4_acl_header version 1, then 4-byte entries for the
 * owner/group/mask/other tags and 8-byte ones for named users and groups; fs/ext4/acl.h) and as
 * Linux shows them through getxattr (posix_acl_xattr: version 2, every entry 8 bytes).
 */
public final class Ext4Acl {
    private Ext4Acl() {}

    private static final int EXT4_ACL_VERSION = 1;
    private static final int XATTR_ACL_VERSION = 2;
    private static final int ACL_USER = 0x02;
    private static final int ACL_GROUP = 0x08;
    private static final int UNDEFINED_ID = -1;

    /** ext4's form to the VFS form, so extracted ACLs equal what the kernel shows. */
    public static byte[] toVfs(byte[] disk, String fs, String structure, long offset) {
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
            int tag = in.getShort(pos) & 0xFFFF;
            int perm = in.getShort(pos + 2) & 0xFFFF;
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
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /** The VFS form to ext4's; null when {@code vfs} is not a version 2 ACL of whole entries. */
    public static byte[] fromVfs(byte[] vfs) {
        ByteBuffer in = ByteBuffer.wrap(vfs).order(ByteOrder.LITTLE_ENDIAN);
        if (vfs.length < 4 || (vfs.length - 4) % 8 != 0 || in.getInt() != XATTR_ACL_VERSION) return null;
        ByteBuffer out = ByteBuffer.allocate(vfs.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(EXT4_ACL_VERSION);
        while (in.hasRemaining()) {
            short tag = in.getShort();
            short perm = in.getShort();
            int id = in.getInt();
            out.putShort(tag).putShort(perm);
            if (tag == ACL_USER || tag == ACL_GROUP) out.putInt(id);
        }
        return java.util.Arrays.copyOf(out.array(), out.position());
    }
}
