package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;
import io.vdetach.guestfs.Xattr;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Extended attributes in ext4's on-disk form ("ext4 Data Structures and Algorithms" 4.5):
 * in the inode after i_extra_isize (magic, entries, values) or in one block (32-byte header,
 * entries, values from the end). Entry: {@code name_len u8, name_index u8, value_offs u16,
 * value_inum u32, value_size u32, hash u32, name}, padded to 4. POSIX ACLs are converted
 * from the VFS xattr form to ext4's compact form (fs/ext4/acl.h).
 */
public final class XattrCodec {
    static final int MAGIC = 0xEA020000;
    static final int BLOCK_HEADER = 32;
    static final int ENTRY = 16;

    private XattrCodec() {}

    /** An attribute split into ext4's name index and the rest of its name, with its disk value. */
    public record Encoded(int index, byte[] suffix, byte[] value) {
        int entrySize() { return (ENTRY + suffix.length + 3) & ~3; }

        int valueSize() { return (value.length + 3) & ~3; }
    }

    public static List<Encoded> encode(List<Xattr> xattrs) {
        List<Encoded> out = new ArrayList<>();
        for (Xattr x : xattrs) {
            String n = x.name();
            Encoded e;
            if (n.equals("system.posix_acl_access")) e = new Encoded(2, new byte[0], acl(x.value(), n));
            else if (n.equals("system.posix_acl_default")) e = new Encoded(3, new byte[0], acl(x.value(), n));
            else if (n.equals("system.richacl")) e = new Encoded(8, new byte[0], x.value());
            else if (n.startsWith("user.")) e = named(1, n, 5, x);
            else if (n.startsWith("trusted.")) e = named(4, n, 8, x);
            else if (n.startsWith("security.")) e = named(6, n, 9, x);
            else throw new HostException("extended attribute " + n + " cannot be stored on an ext4 host");
            out.add(e);
        }
        // the kernel keeps entries sorted by (index, name length, name); e2fsck does not require it
        out.sort(Comparator.comparingInt(Encoded::index).thenComparingInt(e -> e.suffix().length)
                .thenComparing(Encoded::suffix, java.util.Arrays::compare));
        return out;
    }

    private static Encoded named(int index, String name, int prefix, Xattr x) {
        byte[] s = name.substring(prefix).getBytes(StandardCharsets.UTF_8);
        if (s.length == 0 || s.length > 255) throw new HostException("extended attribute name " + name + " has a bad length");
        return new Encoded(index, s, x.value());
    }

    /**
     * VFS POSIX ACL (u32 version 2, then {u16 tag, u16 perm, u32 id} entries) to ext4's
     * (u32 version 1, then 4-byte short entries for USER_OBJ/GROUP_OBJ/MASK/OTHER and 8-byte
     * ones for USER/GROUP).
     */
    static byte[] acl(byte[] v, String name) {
        if (v.length < 4 || (v.length - 4) % 8 != 0) throw new HostException("extended attribute " + name + " is not a POSIX ACL");
        ByteBuffer in = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt() != 2) throw new HostException("extended attribute " + name + " has an unknown ACL version");
        ByteBuffer out = ByteBuffer.allocate(4 + (v.length - 4)).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(1);
        while (in.hasRemaining()) {
            short tag = in.getShort();
            short perm = in.getShort();
            int id = in.getInt();
            out.putShort(tag).putShort(perm);
            if (tag == 0x02 || tag == 0x08) out.putInt(id); // ACL_USER, ACL_GROUP carry an id
        }
        byte[] r = new byte[out.position()];
        out.flip().get(r);
        return r;
    }

    /** 4.5.2 (entry hash): name bytes shifted by 5, then the zero-padded value's le32 words by 16. */
    static int hash(Encoded e) {
        int h = 0;
        for (byte c : e.suffix()) h = (h << 5) ^ (h >>> 27) ^ (c & 0xFF);
        byte[] v = e.value();
        for (int i = 0; i < v.length; i += 4) {
            int w = 0;
            for (int k = 0; k < 4 && i + k < v.length; k++) w |= (v[i + k] & 0xFF) << (8 * k);
            h = (h << 16) ^ (h >>> 16) ^ w;
        }
        return h;
    }

    /** Bytes needed in the inode body (magic, entries, terminator, values). */
    public static int inInodeSize(List<Encoded> xs) {
        int n = 4 + 4;
        for (Encoded e : xs) n += e.entrySize() + e.valueSize();
        return n;
    }

    /** Writes {@code xs} into the inode after i_extra_isize; the caller checked they fit. */
    public static void writeInInode(byte[] inode, int start, List<Encoded> xs) {
        ByteBuffer b = ByteBuffer.wrap(inode).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(start, MAGIC);
        int base = start + 4; // 4.5.1: in-inode value offsets count from the first entry
        writeEntries(b, inode, base, inode.length, base, xs, true);
    }

    /** One xattr block for {@code xs}, checksummed for block {@code blockNr}; null when they do not fit. */
    public static byte[] block(List<Encoded> xs, int bs, long blockNr, boolean csum, int seed) {
        int need = BLOCK_HEADER + 4;
        for (Encoded e : xs) need += e.entrySize() + e.valueSize();
        if (need > bs) return null;
        byte[] blk = new byte[bs];
        ByteBuffer b = ByteBuffer.wrap(blk).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC).putInt(4, 1).putInt(8, 1);
        int blockHash = writeEntries(b, blk, BLOCK_HEADER, bs, 0, xs, true);
        b.putInt(12, blockHash);
        if (csum) {
            // 4.5 (h_checksum): crc32c(seed, le64 block number, block with the field zero)
            int c = Crc32c.updateLong(seed, blockNr);
            b.putInt(16, Crc32c.update(c, blk, 0, bs));
        }
        return blk;
    }

    /** Writes entries from {@code first} and values down from {@code end}; returns the block hash. */
    private static int writeEntries(ByteBuffer b, byte[] buf, int first, int end, int offBase, List<Encoded> xs, boolean hashes) {
        int e = first;
        int v = end;
        int blockHash = 0;
        for (Encoded x : xs) {
            v -= x.valueSize();
            System.arraycopy(x.value(), 0, buf, v, x.value().length);
            buf[e] = (byte) x.suffix().length;
            buf[e + 1] = (byte) x.index();
            b.putShort(e + 2, (short) (x.value().length == 0 ? 0 : v - offBase));
            b.putInt(e + 4, 0);
            b.putInt(e + 8, x.value().length);
            int h = hash(x);
            b.putInt(e + 12, hashes ? h : 0);
            System.arraycopy(x.suffix(), 0, buf, e + ENTRY, x.suffix().length);
            blockHash = (blockHash << 16) ^ (blockHash >>> 16) ^ h;
            e += x.entrySize();
        }
        b.putInt(e, 0);
        return blockHash;
    }
}
