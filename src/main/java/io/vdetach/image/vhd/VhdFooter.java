package io.vdetach.image.vhd;

import io.vdetach.image.Damage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The 512-byte hard disk footer ("Virtual Hard Disk Image Format Specification", Hard Disk
 * Footer Format). Big-endian. At the end of every VHD; dynamic and differencing disks keep a
 * copy at offset 0.
 */
record VhdFooter(
        long features,
        long formatVersion,
        long dataOffset,
        long timestamp,
        String creatorApplication,
        long creatorVersion,
        String creatorHostOs,
        long originalSize,
        long currentSize,
        int cylinders,
        int heads,
        int sectorsPerTrack,
        int diskType,
        long checksum,
        byte[] uniqueId,
        int savedState) {

    static final int SIZE = 512;
    static final int FIXED = 2;
    static final int DYNAMIC = 3;
    static final int DIFFERENCING = 4;
    private static final int CHECKSUM_AT = 64;

    /** Parses and validates cookie, checksum, disk type and size; {@code b} holds 512 bytes from position 0. */
    static VhdFooter parse(ByteBuffer b, long at) {
        Damage d = damage(b, at);
        if (d != null) throw d.exception();
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        byte[] id = new byte[16];
        b.get(68, id);
        return new VhdFooter(
                Integer.toUnsignedLong(b.getInt(8)),
                Integer.toUnsignedLong(b.getInt(12)),
                b.getLong(16),
                Integer.toUnsignedLong(b.getInt(24)),
                ascii(b, 28, 4),
                Integer.toUnsignedLong(b.getInt(32)),
                ascii(b, 36, 4),
                b.getLong(40),
                b.getLong(48),
                Short.toUnsignedInt(b.getShort(56)),
                Byte.toUnsignedInt(b.get(58)),
                Byte.toUnsignedInt(b.get(59)),
                b.getInt(60),
                Integer.toUnsignedLong(b.getInt(CHECKSUM_AT)),
                id,
                Byte.toUnsignedInt(b.get(84)));
    }

    /** What is wrong with the footer in {@code b} (stored at {@code at}), or null when it is valid. */
    static Damage damage(ByteBuffer b, long at) {
        b = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (!"conectix".equals(ascii(b, 0, 8))) return new Damage("vhd", "footer", at, "cookie is not \"conectix\"");
        long stored = Integer.toUnsignedLong(b.getInt(CHECKSUM_AT));
        long computed = onesComplementSum(b, 0, SIZE, CHECKSUM_AT);
        if (stored != computed) {
            return new Damage("vhd", "footer", at, String.format("checksum 0x%08x, computed 0x%08x", stored, computed));
        }
        int diskType = b.getInt(60);
        if (diskType != FIXED && diskType != DYNAMIC && diskType != DIFFERENCING) {
            return new Damage("vhd", "footer", at + 60, "disk type " + diskType + " (expected 2 fixed, 3 dynamic or 4 differencing)");
        }
        if (b.getLong(48) < 0) return new Damage("vhd", "footer", at + 48, "current size " + b.getLong(48) + " is negative");
        return null;
    }

    /**
     * The guest disk size. Two producers disagree: Virtual PC (creator "vpc ") and older QEMU
     * ("qemu") size the disk by its CHS geometry, rounding the requested size to whole
     * cylinders, while Hyper-V ("win "), Disk2vhd ("d2v "), XenServer ("tap\0"), XenConverter
     * ("CTXS") and QEMU with force_size ("qem2") use current_size. We follow QEMU's vpc
     * driver, which settles it by creator application, and take current_size as well when
     * the geometry is the maximum 65535/16/255 (a disk too large for CHS, which then would be
     * truncated). Sizes are whole 512-byte sectors, as QEMU reports them.
     */
    long virtualSize() {
        long chs = (long) cylinders * heads * sectorsPerTrack;
        boolean maxGeometry = cylinders == 65535 && heads == 16 && sectorsPerTrack == 255;
        boolean sizeByField = switch (creatorApplication) {
            case "win ", "qem2", "d2v ", "CTXS", "tap\0" -> true;
            default -> false;
        };
        return (sizeByField || maxGeometry) ? currentSize / 512 * 512 : chs * 512;
    }

    String diskTypeName() {
        return switch (diskType) {
            case FIXED -> "fixed";
            case DYNAMIC -> "dynamic";
            default -> "differencing";
        };
    }

    /** The one's complement of the byte sum, skipping the 4-byte checksum field at {@code skip}. */
    static long onesComplementSum(ByteBuffer b, int from, int to, int skip) {
        long sum = 0;
        for (int i = from; i < to; i++) {
            if (i >= skip && i < skip + 4) continue;
            sum += Byte.toUnsignedInt(b.get(i));
        }
        return ~sum & 0xffffffffL;
    }

    static String ascii(ByteBuffer b, int at, int len) {
        byte[] a = new byte[len];
        b.get(at, a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }
}
