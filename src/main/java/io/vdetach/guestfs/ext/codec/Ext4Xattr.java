package io.vdetach.guestfs.ext.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One extended attribute as ext4 stores it ("Extended Attributes"): a name index standing for
 * the name's prefix, the rest of the name, and the value (POSIX ACLs in ext4's own form,
 * {@link Ext4Acl}). Lays attributes out as an in-inode area or an xattr block: entries from the
 * front, values from the end, entries sorted by (index, name length, name) as the kernel keeps them.
 */
public record Ext4Xattr(int index, byte[] name, byte[] value) {
    /** e_name_index values. */
    public static final int USER = 1, POSIX_ACL_ACCESS = 2, POSIX_ACL_DEFAULT = 3, TRUSTED = 4, SECURITY = 6,
            SYSTEM = 7, RICHACL = 8, HURD = 10;

    /** The order the kernel keeps entries in: by name index, name length, name. */
    public static final Comparator<Ext4Xattr> ORDER = Comparator.comparingInt(Ext4Xattr::index)
            .thenComparingInt(x -> x.name().length).thenComparing(Ext4Xattr::name, Arrays::compare);

    /**
     * The name Linux lists, or null for entries the kernel keeps to itself (system.data, richacl,
     * the encryption context, unknown indices).
     */
    public String vfsName() {
        String s = new String(name, StandardCharsets.UTF_8);
        return switch (index) {
            case USER -> "user." + s;
            case POSIX_ACL_ACCESS -> "system.posix_acl_access";
            case POSIX_ACL_DEFAULT -> "system.posix_acl_default";
            case TRUSTED -> "trusted." + s;
            case SECURITY -> "security." + s;
            case HURD -> "gnu." + s;
            default -> null;
        };
    }

    /** True for system.data, which holds the rest of an inline file or directory. */
    public boolean isSystemData() {
        return index == SYSTEM && Arrays.equals(name, "data".getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The attribute for a name and value as Linux shows them (an ACL in the VFS form); null when
     * ext4 has no place for the name or the ACL is malformed.
     */
    public static Ext4Xattr fromVfs(String vfsName, byte[] vfsValue) {
        return switch (vfsName) {
            case "system.posix_acl_access" -> acl(POSIX_ACL_ACCESS, vfsValue);
            case "system.posix_acl_default" -> acl(POSIX_ACL_DEFAULT, vfsValue);
            case "system.richacl" -> new Ext4Xattr(RICHACL, new byte[0], vfsValue);
            default -> {
                int dot = vfsName.indexOf('.');
                int index = switch (dot < 0 ? "" : vfsName.substring(0, dot)) {
                    case "user" -> USER;
                    case "trusted" -> TRUSTED;
                    case "security" -> SECURITY;
                    default -> -1;
                };
                byte[] suffix = vfsName.substring(dot + 1).getBytes(StandardCharsets.UTF_8);
                // e_name_len is one byte
                yield index < 0 || suffix.length == 0 || suffix.length > 255 ? null : new Ext4Xattr(index, suffix, vfsValue);
            }
        };
    }

    private static Ext4Xattr acl(int index, byte[] vfs) {
        byte[] disk = Ext4Acl.fromVfs(vfs);
        return disk == null ? null : new Ext4Xattr(index, new byte[0], disk);
    }

    /** e_hash: the name's bytes shifted in by 5, then the zero-padded value's le32 words by 16 ("Extended Attributes"). */
    int hash() {
        int h = 0;
        for (byte c : name) h = (h << 5) ^ (h >>> 27) ^ (c & 0xFF);
        for (int i = 0; i < value.length; i += 4) {
            int w = 0;
            for (int k = 0; k < 4 && i + k < value.length; k++) w |= (value[i + k] & 0xFF) << (8 * k);
            h = (h << 16) ^ (h >>> 16) ^ w;
        }
        return h;
    }

    private int valueRoom() { return (value.length + 3) & ~3; }

    private static int room(List<Ext4Xattr> xs) {
        int n = 4; // the 4 zero bytes after the last entry
        for (Ext4Xattr x : xs) n += (Ext4XattrEntry.HEADER + x.name.length + 3 & ~3) + x.valueRoom();
        return n;
    }

    /** The in-inode area of {@code size} bytes (ext4_xattr_ibody_header, entries, values); null when they do not fit. */
    public static byte[] ibody(List<Ext4Xattr> xs, int size) {
        if (4 + room(xs) > size) return null;
        byte[] out = new byte[size];
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, Ext4XattrHeader.MAGIC);
        layout(xs, b, 4, size, 4); // in-inode value offsets count from the first entry
        return out;
    }

    /** An xattr block for {@code xs} as block {@code blockNr}, shared by one inode; null when they do not fit. */
    public static byte[] block(List<Ext4Xattr> xs, long blockNr, Ext4SuperBlock sb) {
        int bs = sb.blockSize();
        if (Ext4XattrHeader.SIZE + room(xs) > bs) return null;
        byte[] out = new byte[bs];
        int hash = layout(xs, ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN), Ext4XattrHeader.SIZE, bs, 0);
        new Ext4XattrHeader(Ext4XattrHeader.MAGIC, 1, 1, hash, 0).serialise(out, blockNr, sb);
        return out;
    }

    /** Entries from {@code first}, values down from {@code end}; returns h_hash, the hash of all entries. */
    private static int layout(List<Ext4Xattr> unsorted, ByteBuffer b, int first, int end, int offBase) {
        List<Ext4Xattr> xs = new ArrayList<>(unsorted);
        xs.sort(ORDER);
        int e = first;
        int v = end;
        int blockHash = 0;
        for (Ext4Xattr x : xs) {
            v -= x.valueRoom();
            b.put(v, x.value);
            int h = x.hash();
            Ext4XattrEntry entry = new Ext4XattrEntry(x.index, x.value.length == 0 ? 0 : v - offBase, 0, x.value.length, h, x.name, -1);
            entry.serialise(b, e);
            blockHash = (blockHash << 16) ^ (blockHash >>> 16) ^ h;
            e += entry.size();
        }
        b.putInt(e, 0);
        return blockHash;
    }
}
