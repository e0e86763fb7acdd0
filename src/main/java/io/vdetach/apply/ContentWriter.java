package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.evidence.FileHasher;
import io.vdetach.extent.Layer;
import io.vdetach.plan.Mode;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.sys.Errno;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes a file's planned runs into an empty, open host file: clones first (they replace
 * whole blocks), then copies and materialised bytes, then the size. Holes are left alone.
 * One per writer thread (it owns a transfer buffer).
 *
 * <p>On XFS every byte range it writes is allocated first (fallocate), so the host never holds a
 * delayed allocation for it: XFS reserves, for each dirty delalloc extent, the data block plus
 * a worst-case of bmap btree blocks (~20 KiB for a one-block tail) until writeback, which made
 * the free space of a 50,000-file share extract drop by 5x what the run leaves used
 * (docs/benchmarks.md, "Transient space"). Allocated ranges cost only their blocks.
 */
final class ContentWriter {
    private static final int CHUNK = 1 << 20;

    private final SourceFiles sources;
    private final Mode mode;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);

    private final int blockSize;
    /** Set when DEST is not to be, or refuses to be, allocated ahead (HostFilesystem.allocateBeforeWriting, EOPNOTSUPP). */
    private boolean noAllocate;

    SourceFiles sources() {
        return sources;
    }

    /** A writer that does not allocate ahead (decoding into a dump, or a host where that is not wanted). */
    ContentWriter(SourceFiles sources, Mode mode, int blockSize) {
        this(sources, mode, blockSize, false);
    }

    /** @param allocateFirst fallocate each range before writing it (HostFilesystem.allocateBeforeWriting) */
    ContentWriter(SourceFiles sources, Mode mode, int blockSize, boolean allocateFirst) {
        this.sources = sources;
        this.mode = mode;
        this.blockSize = blockSize;
        this.noAllocate = !allocateFirst;
    }

    /** Figures of one file, added to the report by the caller. */
    record Written(long shared, long copied, long materialised, long sparse, String fallback) {}

    Written write(Fd fd, List<PlannedRun> runs, Layer content, long size, boolean destIsBtrfs) throws IOException {
        return write(fd, runs, content, size, destIsBtrfs, null);
    }

    /** @param hasher offered the decoded bytes as they are written (the rest comes from the image); null: none */
    Written write(Fd fd, List<PlannedRun> runs, Layer content, long size, boolean destIsBtrfs, FileHasher hasher)
            throws IOException {
        long shared = 0, copied = 0, materialised = 0, sparse = 0;
        String fallback = null;
        boolean nocowSet = false;
        for (PlannedRun r : runs) {
            if (r.kind() != RunClass.SHARE) continue;
            if (sources.cloneRefused.contains(r.source())) {
                copy(fd, r);
                copied += r.length();
                continue;
            }
            if (destIsBtrfs && !nocowSet && sources.isNocow(r.source())) {
                Linux.setFlags(fd, Linux.FS_NOCOW_FL); // the file is still empty: allowed
                nocowSet = true;
            }
            try {
                long len = r.cloneBeyondEnd() ? blockSize : r.length(); // a last partial block: clone it whole, truncate below
                Linux.cloneRange(sources.fd(r.source()), r.sourceOffset(), len, fd, r.fileOffset());
                shared += r.length();
            } catch (SysException e) {
                if (mode == Mode.SHARE) {
                    throw new HostException("--mode share: the host refused to share blocks of " + r.source().path() + ": " + e.getMessage());
                }
                if (!(e.is(Errno.EXDEV) || e.is(Errno.EOPNOTSUPP) || e.is(Errno.EINVAL) || e.is(Errno.EPERM))) throw e;
                sources.cloneRefused.add(r.source());
                fallback = "clone refused (" + e.getMessage() + "): copied";
                copy(fd, r);
                copied += r.length();
            }
        }
        for (PlannedRun r : runs) {
            switch (r.kind()) {
                case COPY -> {
                    allocate(fd, r.fileOffset(), r.length());
                    copy(fd, r);
                    copied += r.length();
                }
                case MATERIALISE -> {
                    materialise(fd, r, content, hasher);
                    materialised += r.length();
                }
                case HOLE -> sparse += r.length();
                case SHARE -> { }
            }
        }
        // Writes already set the size when the file ends in written data; a final hole or a
        // whole cloned tail block needs the size set (truncate costs ~100 µs on XFS: skip it otherwise).
        if (writtenEnd(runs) != size) Linux.ftruncate(fd, size);
        return new Written(shared, copied, materialised, sparse, fallback);
    }

    /**
     * Allocates the blocks of a range about to be written (mode 0: the size grows to its end,
     * as the write would make it), where DEST can.
     */
    private void allocate(Fd fd, long offset, long length) {
        if (noAllocate || length == 0) return;
        try {
            Linux.fallocate(fd, 0, offset, length);
        } catch (SysException e) {
            if (!(e.is(Errno.EOPNOTSUPP) || e.is(Errno.ENOSYS) || e.is(Errno.EINVAL))) throw e;
            noAllocate = true;
        }
    }

    /** Where the written (non-hole) runs end; -1 when a whole last block is cloned past the size. */
    static long writtenEnd(List<PlannedRun> runs) {
        long end = 0;
        for (PlannedRun r : runs) {
            if (r.kind() == RunClass.HOLE) continue;
            if (r.cloneBeyondEnd()) return -1;
            end = Math.max(end, r.fileOffset() + r.length());
        }
        return end;
    }

    /** One COPY run (copy_file_range, or read and write across filesystems that refuse it). */
    void copy(Fd fd, PlannedRun r) {
        Fd src = sources.fd(r.source());
        if (sources.noCopyFileRange) {
            readWrite(src, fd, r.sourceOffset(), r.fileOffset(), r.length());
            return;
        }
        long done = 0;
        while (done < r.length()) {
            long n;
            try {
                n = Linux.copyFileRange(src, r.sourceOffset() + done, fd, r.fileOffset() + done, r.length() - done);
            } catch (SysException e) {
                if (!(e.is(Errno.EXDEV) || e.is(Errno.EINVAL) || e.is(Errno.ENOSYS) || e.is(Errno.EOPNOTSUPP))) throw e;
                // Across filesystems the kernel refuses it (EXDEV since 5.19): stop asking for every file.
                if (e.is(Errno.EXDEV) || e.is(Errno.ENOSYS)) sources.noCopyFileRange = true;
                readWrite(src, fd, r.sourceOffset() + done, r.fileOffset() + done, r.length() - done);
                return;
            }
            if (n == 0) throw new HostException(r.source().path() + ": ends before offset " + (r.sourceOffset() + done));
            done += n;
        }
    }

    private void readWrite(Fd src, Fd fd, long from, long to, long length) {
        long done = 0;
        while (done < length) {
            buffer.clear().limit((int) Math.min(CHUNK, length - done));
            int n = Linux.pread(src, buffer, from + done);
            if (n <= 0) throw new HostException("source ends before offset " + (from + done));
            buffer.flip();
            Linux.pwriteFully(fd, buffer, to + done);
            done += n;
        }
    }

    private void materialise(Fd fd, PlannedRun r, Layer content, FileHasher hasher) throws IOException {
        long done = 0;
        while (done < r.length()) {
            buffer.clear().limit((int) Math.min(CHUNK, r.length() - done));
            content.readFully(r.fileOffset() + done, buffer);
            buffer.flip();
            int n = buffer.remaining();
            if (hasher != null) hasher.offer(r.fileOffset() + done, buffer);
            if (!allZero(buffer)) {
                allocate(fd, r.fileOffset() + done, n);
                Linux.pwriteFully(fd, buffer, r.fileOffset() + done);
            }
            done += n;
        }
    }

    private static boolean allZero(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        for (; i + 8 <= end; i += 8) if (b.getLong(i) != 0) return false;
        for (; i < end; i++) if (b.get(i) != 0) return false;
        return true;
    }
}
