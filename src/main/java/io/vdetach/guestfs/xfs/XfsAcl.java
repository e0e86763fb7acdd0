package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * POSIX ACLs: XFS keeps them as the trusted-namespace attributes SGI_ACL_FILE and
 * SGI_ACL_DEFAULT in its own big-endian form (xfs_acl: count, then entries of tag, id,
 * perm, pad); Linux shows them as system.posix_acl_access / _default in the generic
 * little-endian form (version 2, then entries of tag, perm, id). Tags have the same values.
 */
final class XfsAcl {
    static final String ACCESS = "SGI_ACL_FILE", DEFAULT = "SGI_ACL_DEFAULT";
    private static final int ACL_USER = 0x02, ACL_GROUP = 0x08;
    private static final int UNDEFINED_ID = -1;

    private XfsAcl() {}

    static byte[] toLinux(byte[] xfs, long ino, long where) {
        ByteBuffer in = ByteBuffer.wrap(xfs).order(ByteOrder.BIG_ENDIAN);
        if (xfs.length < 4) throw bad(ino, where, "ACL of " + xfs.length + " bytes");
        long count = in.getInt(0) & 0xffffffffL;
        if (count * 12 != xfs.length - 4) throw bad(ino, where, "ACL count " + count + " for " + xfs.length + " bytes");
        ByteBuffer out = ByteBuffer.allocate(4 + (int) count * 8).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(2); // POSIX_ACL_XATTR_VERSION
        for (int i = 0; i < count; i++) {
            int at = 4 + i * 12;
            int tag = in.getInt(at);
            int id = in.getInt(at + 4);
            int perm = in.getShort(at + 8) & 0xffff;
            out.putShort((short) tag).putShort((short) perm).putInt(tag == ACL_USER || tag == ACL_GROUP ? id : UNDEFINED_ID);
        }
        return out.array();
    }

    private static CorruptImageException bad(long ino, long where, String detail) {
        return new CorruptImageException("xfs", "ACL of inode " + ino, where, detail);
    }
}
