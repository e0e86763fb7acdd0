package io.vdetach.guestfs.ext.codec;

import static io.vdetach.guestfs.ext.codec.Feature.Field.COMPAT;
import static io.vdetach.guestfs.ext.codec.Feature.Field.INCOMPAT;
import static io.vdetach.guestfs.ext.codec.Feature.Field.RO_COMPAT;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Every feature bit of the ext2/3/4 superblock, once, with the name e2fsprogs gives it
 * (ext4 disk layout, "The Super Block": s_feature_compat, s_feature_incompat,
 * s_feature_ro_compat). The reader's refusals and the offline writer's allow-lists are sets of these.
 */
public enum Feature {
    DIR_PREALLOC(COMPAT, 0x1, "dir_prealloc"), IMAGIC_INODES(COMPAT, 0x2, "imagic_inodes"),
    HAS_JOURNAL(COMPAT, 0x4, "has_journal"), EXT_ATTR(COMPAT, 0x8, "ext_attr"),
    RESIZE_INODE(COMPAT, 0x10, "resize_inode"), DIR_INDEX(COMPAT, 0x20, "dir_index"),
    LAZY_BG(COMPAT, 0x40, "lazy_bg"), EXCLUDE_INODE(COMPAT, 0x80, "exclude_inode"),
    EXCLUDE_BITMAP(COMPAT, 0x100, "exclude_bitmap"), SPARSE_SUPER2(COMPAT, 0x200, "sparse_super2"),
    FAST_COMMIT(COMPAT, 0x400, "fast_commit"), STABLE_INODES(COMPAT, 0x800, "stable_inodes"),
    ORPHAN_FILE(COMPAT, 0x1000, "orphan_file"),

    COMPRESSION(INCOMPAT, 0x1, "compression"), FILETYPE(INCOMPAT, 0x2, "filetype"),
    RECOVER(INCOMPAT, 0x4, "needs_recovery"), JOURNAL_DEV(INCOMPAT, 0x8, "journal_dev"),
    META_BG(INCOMPAT, 0x10, "meta_bg"), EXTENTS(INCOMPAT, 0x40, "extent"), BIT64(INCOMPAT, 0x80, "64bit"),
    MMP(INCOMPAT, 0x100, "mmp"), FLEX_BG(INCOMPAT, 0x200, "flex_bg"), EA_INODE(INCOMPAT, 0x400, "ea_inode"),
    DIRDATA(INCOMPAT, 0x1000, "dirdata"), CSUM_SEED(INCOMPAT, 0x2000, "metadata_csum_seed"),
    LARGEDIR(INCOMPAT, 0x4000, "large_dir"), INLINE_DATA(INCOMPAT, 0x8000, "inline_data"),
    ENCRYPT(INCOMPAT, 0x10000, "encrypt"), CASEFOLD(INCOMPAT, 0x20000, "casefold"),

    SPARSE_SUPER(RO_COMPAT, 0x1, "sparse_super"), LARGE_FILE(RO_COMPAT, 0x2, "large_file"),
    BTREE_DIR(RO_COMPAT, 0x4, "btree_dir"), HUGE_FILE(RO_COMPAT, 0x8, "huge_file"),
    GDT_CSUM(RO_COMPAT, 0x10, "uninit_bg"), DIR_NLINK(RO_COMPAT, 0x20, "dir_nlink"),
    EXTRA_ISIZE(RO_COMPAT, 0x40, "extra_isize"), HAS_SNAPSHOT(RO_COMPAT, 0x80, "has_snapshot"),
    QUOTA(RO_COMPAT, 0x100, "quota"), BIGALLOC(RO_COMPAT, 0x200, "bigalloc"),
    METADATA_CSUM(RO_COMPAT, 0x400, "metadata_csum"), REPLICA(RO_COMPAT, 0x800, "replica"),
    READONLY(RO_COMPAT, 0x1000, "read-only"), PROJECT(RO_COMPAT, 0x2000, "project"),
    SHARED_BLOCKS(RO_COMPAT, 0x4000, "shared_blocks"), VERITY(RO_COMPAT, 0x8000, "verity"),
    ORPHAN_PRESENT(RO_COMPAT, 0x10000, "orphan_present");

    /** The superblock word a bit lives in. */
    public enum Field { COMPAT, INCOMPAT, RO_COMPAT }

    private final Field field;
    private final int bit;
    private final String label;

    Feature(Field field, int bit, String label) {
        this.field = field;
        this.bit = bit;
        this.label = label;
    }

    public Field field() { return field; }

    public int bit() { return bit; }

    /** The name mke2fs -O and dumpe2fs use. */
    public String label() { return label; }

    /** The bits of {@code features} that lie in {@code field}. */
    public static int bits(Field field, Set<Feature> features) {
        int bits = 0;
        for (Feature f : features) if (f.field == field) bits |= f.bit;
        return bits;
    }

    /** What ext3 knows (blkid's rule for "ext3" versus "ext4"): anything else makes it ext4. */
    public static final Set<Feature> EXT3 = EnumSet.of(FILETYPE, RECOVER, META_BG, SPARSE_SUPER, LARGE_FILE, BTREE_DIR);

    /**
     * The names of the bits of {@code bits} in {@code field} that are not in {@code allowed}; an
     * unnamed bit as its hex value.
     */
    public static List<String> outside(Field field, int bits, Set<Feature> allowed) {
        int rest = bits & ~bits(field, allowed);
        List<String> out = new ArrayList<>();
        for (Feature f : values()) {
            if (f.field == field && (rest & f.bit) != 0) {
                out.add(f.label);
                rest &= ~f.bit;
            }
        }
        for (int i = 0; i < 32; i++) if ((rest & (1 << i)) != 0) out.add(String.format("0x%x", 1 << i));
        return out;
    }
}
