package io.vdetach.sys;

import static io.vdetach.sys.Native.INT;
import static io.vdetach.sys.Native.LONG;
import static io.vdetach.sys.Native.PTR;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Linux system calls vdetach needs, through the FFM API. Descriptors are {@link Fd}s;
 * names are raw bytes (guest names need not be valid in any charset). Failures throw
 * {@link SysException} naming the call, its subject and strerror. x86-64 and aarch64 only.
 */
public final class Linux {
    private Linux() {}

    public static final int AT_FDCWD = -100;
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_TRUNC = 01000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000,
            O_DIRECT = 040000;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    public static final int FALLOC_FL_KEEP_SIZE = 1, FALLOC_FL_PUNCH_HOLE = 2;
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFBLK = 0060000, S_IFSOCK = 0140000;
    /** openat2 resolve flags (linux/openat2.h). */
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04,
            RESOLVE_BENEATH = 0x08;
    public static final long UTIME_OMIT = (1L << 30) - 2;

    private static final long FICLONERANGE = 0x4020940dL;
    private static final long FS_IOC_FIEMAP = 0xC020660BL;
    private static final long FS_IOC_GETFLAGS = 0x80086601L;
    private static final long FS_IOC_SETFLAGS = 0x40086602L;
    public static final int FS_NOCOW_FL = 0x00800000;
    private static final long SYS_OPENAT2 = arch().equals("aarch64") ? 437 : 437;

    private static String arch() { return System.getProperty("os.arch"); }

    private static final MethodHandle OPENAT = Native.errnoVariadic("openat", FunctionDescriptor.of(INT, INT, PTR, INT, INT), 3);
    private static final MethodHandle SYSCALL4 = Native.errnoVariadic("syscall", FunctionDescriptor.of(LONG, LONG, INT, PTR, PTR, LONG), 1);
    private static final MethodHandle CLOSE = Native.errnoCall("close", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle IOCTL = Native.errnoVariadic("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR), 2);
    private static final MethodHandle FSTATFS = Native.errnoCall("fstatfs", FunctionDescriptor.of(INT, INT, PTR));
    private static final MethodHandle FSTATAT = Native.errnoCall("fstatat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle FALLOCATE = Native.errnoCall("fallocate", FunctionDescriptor.of(INT, INT, INT, LONG, LONG));
    private static final MethodHandle COPY_FILE_RANGE = Native.errnoCall("copy_file_range", FunctionDescriptor.of(LONG, INT, PTR, INT, PTR, LONG, INT));
    private static final MethodHandle PWRITE = Native.errnoCall("pwrite", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle PREAD = Native.errnoCall("pread", FunctionDescriptor.of(LONG, INT, PTR, LONG, LONG));
    private static final MethodHandle FTRUNCATE = Native.errnoCall("ftruncate", FunctionDescriptor.of(INT, INT, LONG));
    private static final MethodHandle FCHMOD = Native.errnoCall("fchmod", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle FCHOWN = Native.errnoCall("fchown", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle FCHOWNAT = Native.errnoCall("fchownat", FunctionDescriptor.of(INT, INT, PTR, INT, INT, INT));
    private static final MethodHandle FCHMODAT = Native.errnoCall("fchmodat", FunctionDescriptor.of(INT, INT, PTR, INT, INT));
    private static final MethodHandle UTIMENSAT = Native.errnoCall("utimensat", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle FUTIMENS = Native.errnoCall("futimens", FunctionDescriptor.of(INT, INT, PTR));
    private static final MethodHandle FSETXATTR = Native.errnoCall("fsetxattr", FunctionDescriptor.of(INT, INT, PTR, PTR, LONG, INT));
    private static final MethodHandle LSETXATTR = Native.errnoCall("lsetxattr", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, INT));
    private static final MethodHandle FGETXATTR = Native.errnoCall("fgetxattr", FunctionDescriptor.of(LONG, INT, PTR, PTR, LONG));
    private static final MethodHandle FLISTXATTR = Native.errnoCall("flistxattr", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle MKNODAT = Native.errnoCall("mknodat", FunctionDescriptor.of(INT, INT, PTR, INT, LONG));
    private static final MethodHandle MKDIRAT = Native.errnoCall("mkdirat", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle SYMLINKAT = Native.errnoCall("symlinkat", FunctionDescriptor.of(INT, PTR, INT, PTR));
    private static final MethodHandle LINKAT = Native.errnoCall("linkat", FunctionDescriptor.of(INT, INT, PTR, INT, PTR, INT));
    private static final MethodHandle UNLINKAT = Native.errnoCall("unlinkat", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle FSYNC = Native.errnoCall("fsync", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle SYNCFS = Native.errnoCall("syncfs", FunctionDescriptor.of(INT, INT));
    private static final MethodHandle POSIX_FADVISE = Native.plain("posix_fadvise", FunctionDescriptor.of(INT, INT, LONG, LONG, INT));
    public static final int POSIX_FADV_SEQUENTIAL = 2, POSIX_FADV_WILLNEED = 3, POSIX_FADV_DONTNEED = 4;
    private static final MethodHandle READLINKAT = Native.errnoCall("readlinkat", FunctionDescriptor.of(LONG, INT, PTR, PTR, LONG));
    private static final MethodHandle GETEUID = Native.plain("geteuid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETDENTS64 = Native.errnoCall("getdents64", FunctionDescriptor.of(LONG, INT, PTR, LONG));

    private static final int STAT_SIZE = 144;
    private static final int STATFS_SIZE = 120;
    private static final int FIEMAP_HEADER = 32;
    private static final int FIEMAP_EXTENT = 56;

    private static SysException fail(String call, Object subject, MemorySegment cap) {
        int e = Native.errno(cap);
        return new SysException(call, String.valueOf(subject), e, Native.strerror(e));
    }

    private static String show(byte[] name) {
        return new String(name, StandardCharsets.UTF_8);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static Fd openat(Fd dirfd, byte[] name, int flags, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int fd = (int) OPENAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), flags | O_CLOEXEC, mode);
            if (fd < 0) throw fail("openat", show(name), cap);
            return new Fd(fd, true);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static Fd open(String path, int flags, int mode) {
        return openat(Fd.CWD, path.getBytes(StandardCharsets.UTF_8), flags, mode);
    }

    /**
     * openat2(2) with {@code resolve} flags such as RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS.
     * Throws with errno ENOSYS on kernels before 5.6; see {@link BeneathPath} for the fallback.
     */
    public static Fd openat2(Fd dirfd, byte[] path, long flags, long mode, long resolve) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment how = a.allocate(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, flags | O_CLOEXEC);
            how.set(ValueLayout.JAVA_LONG, 8, mode);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            long fd = (long) SYSCALL4.invokeExact(cap, SYS_OPENAT2, dirfd.number(), Native.cString(a, path), how, 24L);
            if (fd < 0) throw fail("openat2", show(path), cap);
            return new Fd((int) fd, true);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** For {@link Fd#close()} only. */
    static void closeNumber(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) CLOSE.invokeExact(cap, fd);
            if (r < 0) throw fail("close", fd, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** ioctl(FICLONERANGE): shares {@code length} bytes of src at srcOffset into dst at dstOffset. */
    public static void cloneRange(Fd srcFd, long srcOffset, long length, Fd dstFd, long dstOffset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment arg = a.allocate(32, 8);
            arg.set(ValueLayout.JAVA_LONG, 0, srcFd.number());
            arg.set(ValueLayout.JAVA_LONG, 8, srcOffset);
            arg.set(ValueLayout.JAVA_LONG, 16, length);
            arg.set(ValueLayout.JAVA_LONG, 24, dstOffset);
            int r = (int) IOCTL.invokeExact(cap, dstFd.number(), FICLONERANGE, arg);
            if (r < 0) throw fail("ioctl FICLONERANGE", "src " + srcOffset + "+" + length + " -> " + dstOffset, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** FS_IOC_FIEMAP over {@code [start, start + length)}, all extents (synced first). */
    public static List<FiemapExtent> fiemap(Fd fd, long start, long length) {
        List<FiemapExtent> out = new ArrayList<>();
        final int batch = 512;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment m = a.allocate(FIEMAP_HEADER + (long) batch * FIEMAP_EXTENT, 8);
            long pos = start;
            long end = length == Long.MAX_VALUE ? Long.MAX_VALUE : start + length;
            while (pos < end) {
                m.fill((byte) 0);
                m.set(ValueLayout.JAVA_LONG, 0, pos);
                m.set(ValueLayout.JAVA_LONG, 8, end - pos);
                m.set(ValueLayout.JAVA_INT, 16, 1); // FIEMAP_FLAG_SYNC
                m.set(ValueLayout.JAVA_INT, 24, batch);
                int r = (int) IOCTL.invokeExact(cap, fd.number(), FS_IOC_FIEMAP, m);
                if (r < 0) throw fail("ioctl FS_IOC_FIEMAP", fd.number(), cap);
                int n = m.get(ValueLayout.JAVA_INT, 20);
                if (n == 0) break;
                boolean last = false;
                for (int i = 0; i < n; i++) {
                    long o = FIEMAP_HEADER + (long) i * FIEMAP_EXTENT;
                    FiemapExtent e = new FiemapExtent(m.get(ValueLayout.JAVA_LONG, o), m.get(ValueLayout.JAVA_LONG, o + 8),
                            m.get(ValueLayout.JAVA_LONG, o + 16), m.get(ValueLayout.JAVA_INT, o + 40));
                    out.add(e);
                    last |= e.last();
                    pos = e.logical() + e.length();
                }
                if (last) break;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return out;
    }

    public static int getFlags(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment v = a.allocate(8, 8);
            int r = (int) IOCTL.invokeExact(cap, fd.number(), FS_IOC_GETFLAGS, v);
            if (r < 0) throw fail("ioctl FS_IOC_GETFLAGS", fd.number(), cap);
            return v.get(ValueLayout.JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setFlags(Fd fd, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment v = a.allocate(8, 8);
            v.set(ValueLayout.JAVA_INT, 0, flags);
            int r = (int) IOCTL.invokeExact(cap, fd.number(), FS_IOC_SETFLAGS, v);
            if (r < 0) throw fail("ioctl FS_IOC_SETFLAGS", fd.number(), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static StatFs fstatfs(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment s = a.allocate(STATFS_SIZE, 8);
            int r = (int) FSTATFS.invokeExact(cap, fd.number(), s);
            if (r < 0) throw fail("fstatfs", fd.number(), cap);
            return new StatFs(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8), s.get(ValueLayout.JAVA_LONG, 16),
                    s.get(ValueLayout.JAVA_LONG, 24), s.get(ValueLayout.JAVA_LONG, 32), s.get(ValueLayout.JAVA_LONG, 56));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fstatat(2); {@code name} empty with AT_EMPTY_PATH stats dirfd itself. */
    public static Stat fstatat(Fd dirfd, byte[] name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment s = a.allocate(STAT_SIZE, 8);
            int r = (int) FSTATAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), s, flags);
            if (r < 0) throw fail("fstatat", show(name), cap);
            return new Stat(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8), s.get(ValueLayout.JAVA_LONG, 16),
                    s.get(ValueLayout.JAVA_INT, 24), s.get(ValueLayout.JAVA_INT, 28), s.get(ValueLayout.JAVA_INT, 32),
                    s.get(ValueLayout.JAVA_LONG, 40), s.get(ValueLayout.JAVA_LONG, 48), s.get(ValueLayout.JAVA_LONG, 64),
                    s.get(ValueLayout.JAVA_LONG, 88), s.get(ValueLayout.JAVA_LONG, 96));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static Stat fstat(Fd fd) {
        return fstatat(fd, new byte[0], AT_EMPTY_PATH);
    }

    public static void fallocate(Fd fd, int mode, long offset, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FALLOCATE.invokeExact(cap, fd.number(), mode, offset, length);
            if (r < 0) throw fail("fallocate", "mode " + mode + " " + offset + "+" + length, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Punches {@code [offset, offset + length)} out of a file, keeping its size. */
    public static void punchHole(Fd fd, long offset, long length) {
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
    }

    /** copy_file_range(2) once; returns bytes copied (0 at the source's end). */
    public static long copyFileRange(Fd inFd, long inOffset, Fd outFd, long outOffset, long length) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment in = a.allocate(8, 8);
            MemorySegment out = a.allocate(8, 8);
            in.set(ValueLayout.JAVA_LONG, 0, inOffset);
            out.set(ValueLayout.JAVA_LONG, 0, outOffset);
            long r = (long) COPY_FILE_RANGE.invokeExact(cap, inFd.number(), in, outFd.number(), out, length, 0);
            if (r < 0) throw fail("copy_file_range", inOffset + "+" + length + " -> " + outOffset, cap);
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pwrite(2) of all of {@code src}'s remaining bytes (a heap or direct buffer). */
    public static void pwriteFully(Fd fd, ByteBuffer src, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment buf;
            if (src.isDirect()) {
                buf = MemorySegment.ofBuffer(src);
            } else {
                buf = a.allocate(src.remaining());
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, buf, 0, src.remaining());
            }
            long done = 0;
            long n = src.remaining();
            while (done < n) {
                long r = (long) PWRITE.invokeExact(cap, fd.number(), buf.asSlice(done), n - done, offset + done);
                if (r < 0) {
                    if (Native.errno(cap) == Errno.EINTR) continue;
                    throw fail("pwrite", offset + done + "+" + (n - done), cap);
                }
                done += r;
            }
            src.position(src.limit());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread(2) into {@code dst}; returns bytes read (0 at end of file). */
    public static int pread(Fd fd, ByteBuffer dst, long offset) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment buf = dst.isDirect() ? MemorySegment.ofBuffer(dst) : a.allocate(dst.remaining());
            long r = (long) PREAD.invokeExact(cap, fd.number(), buf, (long) dst.remaining(), offset);
            if (r < 0) throw fail("pread", offset, cap);
            if (!dst.isDirect()) MemorySegment.copy(buf, 0, MemorySegment.ofBuffer(dst), 0, r);
            dst.position(dst.position() + (int) r);
            return (int) r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void ftruncate(Fd fd, long size) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FTRUNCATE.invokeExact(cap, fd.number(), size);
            if (r < 0) throw fail("ftruncate", size, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fchmod(Fd fd, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FCHMOD.invokeExact(cap, fd.number(), mode);
            if (r < 0) throw fail("fchmod", String.format("%o", mode), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fchmodat(Fd dirfd, byte[] name, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FCHMODAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), mode, 0);
            if (r < 0) throw fail("fchmodat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fchown(Fd fd, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FCHOWN.invokeExact(cap, fd.number(), uid, gid);
            if (r < 0) throw fail("fchown", uid + ":" + gid, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** fchownat(2) with AT_SYMLINK_NOFOLLOW: owners of symlinks and special files. */
    public static void lchownat(Fd dirfd, byte[] name, int uid, int gid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FCHOWNAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), uid, gid, AT_SYMLINK_NOFOLLOW);
            if (r < 0) throw fail("fchownat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * utimensat(2): atime and mtime in seconds + nanoseconds; {@code name} empty means dirfd
     * itself (futimens). Never follows a final symlink.
     */
    public static void utimens(Fd dirfd, byte[] name, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment ts = a.allocate(32, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, atimeSec);
            ts.set(ValueLayout.JAVA_LONG, 8, atimeNsec);
            ts.set(ValueLayout.JAVA_LONG, 16, mtimeSec);
            ts.set(ValueLayout.JAVA_LONG, 24, mtimeNsec);
            // glibc's utimensat refuses a NULL path; futimens is the fd form
            int r = name.length == 0 ? (int) FUTIMENS.invokeExact(cap, dirfd.number(), ts)
                    : (int) UTIMENSAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), ts, AT_SYMLINK_NOFOLLOW);
            if (r < 0) throw fail("utimensat", name.length == 0 ? "fd " + dirfd.number() : show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fsetxattr(Fd fd, String name, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) FSETXATTR.invokeExact(cap, fd.number(), a.allocateFrom(name), v, (long) value.length, 0);
            if (r < 0) throw fail("fsetxattr", name, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** lsetxattr(2) on {@code name} inside dirfd (through /proc/self/fd), not following symlinks. */
    public static void lsetxattrAt(Fd dirfd, byte[] name, String attr, byte[] value) {
        byte[] prefix = ("/proc/self/fd/" + dirfd.number() + "/").getBytes(StandardCharsets.US_ASCII);
        byte[] path = new byte[prefix.length + name.length];
        System.arraycopy(prefix, 0, path, 0, prefix.length);
        System.arraycopy(name, 0, path, prefix.length, name.length);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int r = (int) LSETXATTR.invokeExact(cap, Native.cString(a, path), a.allocateFrom(attr), v, (long) value.length, 0);
            if (r < 0) throw fail("lsetxattr", show(name) + " " + attr, cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The value of xattr {@code name}, or null when the file has none by that name. */
    public static byte[] fgetxattr(Fd fd, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment n = a.allocateFrom(name);
            long size = (long) FGETXATTR.invokeExact(cap, fd.number(), n, MemorySegment.NULL, 0L);
            if (size < 0) {
                if (Native.errno(cap) == Errno.ENODATA) return null;
                throw fail("fgetxattr", name, cap);
            }
            MemorySegment v = a.allocate(Math.max(1, size));
            long got = (long) FGETXATTR.invokeExact(cap, fd.number(), n, v, size);
            if (got < 0) throw fail("fgetxattr", name, cap);
            return v.asSlice(0, got).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static List<String> flistxattr(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            long size = (long) FLISTXATTR.invokeExact(cap, fd.number(), MemorySegment.NULL, 0L);
            if (size < 0) throw fail("flistxattr", fd.number(), cap);
            List<String> names = new ArrayList<>();
            if (size == 0) return names;
            MemorySegment buf = a.allocate(size);
            long got = (long) FLISTXATTR.invokeExact(cap, fd.number(), buf, size);
            if (got < 0) throw fail("flistxattr", fd.number(), cap);
            long start = 0;
            for (long i = 0; i < got; i++) {
                if (buf.get(ValueLayout.JAVA_BYTE, i) == 0) {
                    names.add(new String(buf.asSlice(start, i - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return names;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mknodat(Fd dirfd, byte[] name, int mode, long dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) MKNODAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), mode, dev);
            if (r < 0) throw fail("mknodat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void mkfifoat(Fd dirfd, byte[] name, int mode) {
        mknodat(dirfd, name, S_IFIFO | (mode & 07777), 0);
    }

    public static void mkdirat(Fd dirfd, byte[] name, int mode) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) MKDIRAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), mode);
            if (r < 0) throw fail("mkdirat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void symlinkat(byte[] target, Fd dirfd, byte[] name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) SYMLINKAT.invokeExact(cap, Native.cString(a, target), dirfd.number(), Native.cString(a, name));
            if (r < 0) throw fail("symlinkat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** linkat(2) without following symlinks: a hard link to the entry itself. */
    public static void linkat(Fd oldDirfd, byte[] oldName, Fd newDirfd, byte[] newName) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) LINKAT.invokeExact(cap, oldDirfd.number(), Native.cString(a, oldName), newDirfd.number(), Native.cString(a, newName), 0);
            if (r < 0) throw fail("linkat", show(newName), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void unlinkat(Fd dirfd, byte[] name, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) UNLINKAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), flags);
            if (r < 0) throw fail("unlinkat", show(name), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void fsync(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) FSYNC.invokeExact(cap, fd.number());
            if (r < 0) throw fail("fsync", fd.number(), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void syncfs(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            int r = (int) SYNCFS.invokeExact(cap, fd.number());
            if (r < 0) throw fail("syncfs", fd.number(), cap);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** readlinkat(2): the raw target bytes of the symlink {@code name} in dirfd. */
    public static byte[] readlinkat(Fd dirfd, byte[] name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment buf = a.allocate(4097);
            long n = (long) READLINKAT.invokeExact(cap, dirfd.number(), Native.cString(a, name), buf, 4097L);
            if (n < 0) throw fail("readlinkat", show(name), cap);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * getdents64(2): every name in the directory {@code dir} but "." and "..", read from the
     * descriptor's current position in 64 KiB batches and handed to {@code each} (a directory of
     * millions of names is never held at once). The descriptor's position ends at the end.
     */
    public static void forEachName(Fd dir, java.util.function.Consumer<byte[]> each) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(Native.CAPTURE);
            MemorySegment buf = a.allocate(1 << 16, 8);
            while (true) {
                long n = (long) GETDENTS64.invokeExact(cap, dir.number(), buf, buf.byteSize());
                if (n < 0) throw fail("getdents64", dir, cap);
                if (n == 0) return;
                // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated)
                for (long at = 0; at < n; ) {
                    int reclen = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + 16));
                    long nameAt = at + 19;
                    long len = 0;
                    while (nameAt + len < at + reclen && buf.get(ValueLayout.JAVA_BYTE, nameAt + len) != 0) len++;
                    byte[] name = buf.asSlice(nameAt, len).toArray(ValueLayout.JAVA_BYTE);
                    boolean dots = (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
                    if (!dots) each.accept(name);
                    at += reclen;
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** posix_fadvise(2); it returns the error number instead of setting errno. */
    public static void fadvise(Fd fd, long offset, long length, int advice) {
        try {
            int r = (int) POSIX_FADVISE.invokeExact(fd.number(), offset, length, advice);
            if (r != 0) throw new SysException("posix_fadvise", "fd.number() " + fd.number(), r, Native.strerror(r));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
