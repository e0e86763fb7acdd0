package io.vdetach.guestfs.xfs;

import io.vdetach.error.CorruptImageException;
import io.vdetach.guestfs.Xattr;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Extended attributes ("Extended Attributes"): short-form in the attribute fork, or a
 * dabtree in the attribute fork's blocks: a single leaf, or nodes above a chain of leaves.
 * Values are local or in remote blocks (v5 remote blocks start with a header).
 * Namespace flags: ROOT is trusted., SECURE is security., neither is user.
 */
final class XfsAttributes {
    private static final int FLAG_LOCAL = 0x1, FLAG_ROOT = 0x2, FLAG_SECURE = 0x4, FLAG_PARENT = 0x8,
            FLAG_INCOMPLETE = 0x80;
    private static final int LEAF_MAGIC = 0xfbee, LEAF3_MAGIC = 0x3bee, NODE_MAGIC = 0xfebe, NODE3_MAGIC = 0x3ebe;
    private static final int RMT_MAGIC = 0x5841524d; // "XARM"
    /** XATTR_SIZE_MAX: Linux refuses values above 64 KiB, so larger is corruption. */
    private static final int MAX_VALUE = 65536;
    /** Attribute blocks visited per inode: a dabtree for 64 Ki attributes needs far fewer. */
    private static final int MAX_BLOCKS = 1 << 16;
    /** dabtree depth (XFS_DA_NODE_MAXDEPTH). */
    private static final int MAX_DEPTH = 5;

    private XfsAttributes() {}

    static List<Xattr> read(XfsBlockReader r, XfsDinode ino) throws IOException {
        if (ino.attrForkSize() == 0) return List.of();
        return switch (ino.aformat()) {
            case XfsDinode.FMT_LOCAL -> shortForm(ino);
            case XfsDinode.FMT_EXTENTS, XfsDinode.FMT_BTREE -> {
                List<XfsBmbtRec> ext = XfsBmap.extents(r, ino, ino.aformat(), ino.attrFork(), ino.anextents(),
                        ino.attrForkOffset(), "attribute fork");
                if (ext.isEmpty()) yield List.of(); // a fork left empty after its attributes were removed
                yield tree(r, ino, new XfsForkReader(r, ext, "attribute block of inode " + ino.ino(), ino.at()));
            }
            default -> throw bad(ino, ino.at() + ino.attrForkOffset(), "attribute fork format " + ino.aformat());
        };
    }

    /** xfs_attr_sf_hdr (totsize, count, pad), then entries namelen, valuelen, flags, name, value. */
    private static List<Xattr> shortForm(XfsDinode ino) {
        ByteBuffer b = ino.attrFork();
        long where = ino.at() + ino.attrForkOffset();
        if (b.capacity() < 4) throw bad(ino, where, "short-form header does not fit");
        int total = Math.min(b.getShort(0) & 0xffff, b.capacity());
        int count = b.get(2) & 0xff;
        int pos = 4;
        List<Xattr> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (pos + 3 > total) throw bad(ino, where + pos, "short-form attribute " + i + " past the fork");
            int namelen = b.get(pos) & 0xff;
            int valuelen = b.get(pos + 1) & 0xff;
            int flags = b.get(pos + 2) & 0xff;
            if (pos + 3 + namelen + valuelen > total) throw bad(ino, where + pos, "short-form attribute " + i + " overruns the fork");
            byte[] name = new byte[namelen];
            byte[] value = new byte[valuelen];
            b.get(pos + 3, name);
            b.get(pos + 3 + namelen, value);
            add(ino, out, flags, name, value);
            pos += 3 + namelen + valuelen;
        }
        return out;
    }

    private static List<Xattr> tree(XfsBlockReader r, XfsDinode ino, XfsForkReader fork) throws IOException {
        boolean v5 = r.sb.isV5();
        int infoLen = v5 ? 56 : 12;
        // descend from the root (block 0) along the leftmost pointers to the first leaf
        long fb = 0;
        Set<Long> seen = new HashSet<>();
        for (int depth = 0; ; depth++) {
            ByteBuffer b = block(fork, ino, fb, seen);
            int magic = b.getShort(8) & 0xffff;
            if (magic == (v5 ? LEAF3_MAGIC : LEAF_MAGIC)) break;
            if (magic != (v5 ? NODE3_MAGIC : NODE_MAGIC) || depth >= MAX_DEPTH) {
                throw bad(ino, fork.volumeOffset(fb), "attribute block " + fb + " magic 0x" + Integer.toHexString(magic) + " at depth " + depth);
            }
            int count = b.getShort(infoLen) & 0xffff;
            int hdr = infoLen + (v5 ? 8 : 4);
            if (count < 1 || hdr + count * 8 > b.capacity()) throw bad(ino, fork.volumeOffset(fb), "node entry count " + count);
            fb = b.getInt(hdr + 4) & 0xffffffffL; // xfs_da_node_entry: hashval, before
        }
        List<Xattr> out = new ArrayList<>();
        while (true) {
            ByteBuffer b = fork.read(fb, 1);
            int magic = b.getShort(8) & 0xffff;
            if (magic != (v5 ? LEAF3_MAGIC : LEAF_MAGIC)) {
                throw bad(ino, fork.volumeOffset(fb), "attribute leaf " + fb + " magic 0x" + Integer.toHexString(magic));
            }
            leaf(r, ino, fork, b, fb, out);
            long forw = b.getInt(0) & 0xffffffffL;
            if (forw == 0) return out;
            fb = forw;
            block(fork, ino, fb, seen);
        }
    }

    private static ByteBuffer block(XfsForkReader fork, XfsDinode ino, long fb, Set<Long> seen) throws IOException {
        if (!seen.add(fb) || seen.size() > MAX_BLOCKS) throw bad(ino, fork.volumeOffset(fb), "attribute block " + fb + " visited twice (loop)");
        ByteBuffer b = fork.read(fb, 1);
        if (b == null) throw bad(ino, ino.at(), "attribute block " + fb + " is a hole");
        return b;
    }

    /** xfs_attr_leafblock: header, entries (hashval, nameidx, flags, pad), names/values from the end. */
    private static void leaf(XfsBlockReader r, XfsDinode ino, XfsForkReader fork, ByteBuffer b, long fb, List<Xattr> out)
            throws IOException {
        boolean v5 = r.sb.isV5();
        long where = fork.volumeOffset(fb);
        int infoLen = v5 ? 56 : 12;
        int hdrLen = v5 ? 80 : 32;
        int count = b.getShort(infoLen) & 0xffff;
        int size = b.capacity();
        if (hdrLen + count * 8 > size) throw bad(ino, where, "leaf entry count " + count);
        for (int i = 0; i < count; i++) {
            int e = hdrLen + i * 8;
            int nameidx = b.getShort(e + 4) & 0xffff;
            int flags = b.get(e + 6) & 0xff;
            if ((flags & FLAG_INCOMPLETE) != 0) continue;
            if (nameidx < hdrLen + count * 8 || nameidx >= size) throw bad(ino, where + e, "name index " + nameidx);
            if ((flags & FLAG_LOCAL) != 0) {
                // xfs_attr_leaf_name_local: valuelen(2), namelen(1), name, value
                if (nameidx + 3 > size) throw bad(ino, where + nameidx, "local name header past the block");
                int valuelen = b.getShort(nameidx) & 0xffff;
                int namelen = b.get(nameidx + 2) & 0xff;
                if (nameidx + 3 + namelen + valuelen > size) throw bad(ino, where + nameidx, "local attribute overruns the block");
                byte[] name = new byte[namelen];
                byte[] value = new byte[valuelen];
                b.get(nameidx + 3, name);
                b.get(nameidx + 3 + namelen, value);
                add(ino, out, flags, name, value);
            } else {
                // xfs_attr_leaf_name_remote: valueblk(4), valuelen(4), namelen(1), name
                if (nameidx + 9 > size) throw bad(ino, where + nameidx, "remote name header past the block");
                long valueblk = b.getInt(nameidx) & 0xffffffffL;
                long valuelen = b.getInt(nameidx + 4) & 0xffffffffL;
                int namelen = b.get(nameidx + 8) & 0xff;
                if (nameidx + 9 + namelen > size) throw bad(ino, where + nameidx, "remote attribute name overruns the block");
                if (valuelen > MAX_VALUE) throw bad(ino, where + nameidx, "remote value of " + valuelen + " bytes");
                byte[] name = new byte[namelen];
                b.get(nameidx + 9, name);
                add(ino, out, flags, name, remote(r, ino, fork, valueblk, (int) valuelen));
            }
        }
    }

    private static byte[] remote(XfsBlockReader r, XfsDinode ino, XfsForkReader fork, long fb, int len) throws IOException {
        boolean v5 = r.sb.isV5();
        int bs = r.sb.blockSize();
        int perBlock = v5 ? bs - 56 : bs;
        byte[] out = new byte[len];
        int done = 0;
        for (long blk = fb; done < len; blk++) {
            ByteBuffer b = fork.read(blk, 1);
            if (b == null) throw bad(ino, ino.at(), "remote value block " + blk + " is a hole");
            int n = Math.min(perBlock, len - done);
            int hdr = 0;
            if (v5) {
                // xfs_attr3_rmt_hdr: magic, offset, bytes, crc, uuid, owner, blkno, lsn
                if (b.getInt(0) != RMT_MAGIC || b.getLong(32) != ino.ino() || (b.getInt(4) & 0xffffffffL) != done
                        || b.getInt(8) != n) {
                    throw bad(ino, fork.volumeOffset(blk), "remote value block header");
                }
                hdr = 56;
            }
            b.get(hdr, out, done, n);
            done += n;
        }
        return out;
    }

    private static void add(XfsDinode ino, List<Xattr> out, int flags, byte[] name, byte[] value) {
        if ((flags & FLAG_PARENT) != 0) return; // parent pointers are filesystem metadata, not user xattrs
        String n = new String(name, StandardCharsets.UTF_8);
        if ((flags & (FLAG_ROOT | FLAG_SECURE)) == FLAG_ROOT && (n.equals(XfsAcl.ACCESS) || n.equals(XfsAcl.DEFAULT))) {
            String linux = n.equals(XfsAcl.ACCESS) ? "system.posix_acl_access" : "system.posix_acl_default";
            // the kernel lists both names (getfattr -m - shows trusted.SGI_ACL_* too), so do we
            out.add(new Xattr(linux, XfsAcl.toLinux(value, ino.ino(), ino.at())));
        }
        String ns = (flags & FLAG_SECURE) != 0 ? "security." : (flags & FLAG_ROOT) != 0 ? "trusted." : "user.";
        out.add(new Xattr(ns + n, value));
    }

    private static CorruptImageException bad(XfsDinode ino, long where, String detail) {
        return new CorruptImageException("xfs", "attributes of inode " + ino.ino(), where, detail);
    }
}
