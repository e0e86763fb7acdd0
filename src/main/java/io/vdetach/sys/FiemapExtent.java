package io.vdetach.sys;

/** One extent as FS_IOC_FIEMAP reports it (linux/fiemap.h). */
public record FiemapExtent(long logical, long physical, long length, int flags) {
    public static final int LAST = 0x1;
    public static final int UNKNOWN = 0x2;
    public static final int DELALLOC = 0x4;
    public static final int ENCODED = 0x8;
    public static final int UNWRITTEN = 0x800;
    public static final int SHARED = 0x2000;

    public boolean shared() { return (flags & SHARED) != 0; }
    public boolean last() { return (flags & LAST) != 0; }
}
