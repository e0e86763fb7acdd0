package io.vdetach.apply;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import io.vdetach.sys.Stat;
import io.vdetach.sys.SysException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * verify's last steps for a regular file whose type and size matched: its content, its user
 * xattrs, its mtime, in that order, under one {@link MismatchLog} slot. The walker opened
 * {@code fd} (by one name from its directory's descriptor, O_NOFOLLOW) and took {@code st};
 * this runs on a {@link ContentChecks} thread and closes {@code fd}.
 */
record FileCheck(MismatchLog log, long slot, EntryPath path, Node n, Layer content, Fd fd, Stat st)
        implements ContentChecks.Check {

    @Override
    public void run(ContentChecks.Buffers buffers) {
        try (fd) {
            if (buffers == null) return;
            String diff = compareContent(buffers);
            if (diff != null) log.add(slot, path, diff);
            for (Xattr x : n.xattrs()) {
                if (x.name().startsWith("user.") && !Arrays.equals(Linux.fgetxattr(fd, x.name()), x.value())) {
                    log.add(slot, path, "xattr " + x.name() + " differs");
                }
            }
            if (st.mtimeSeconds() != n.mtime().getEpochSecond() || st.mtimeNanos() != n.mtime().getNano()) {
                log.add(slot, path, mtimeDiffers(st, n));
            }
        } catch (SysException e) {
            log.add(slot, path, e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.add(slot, path, "cannot compare: " + e.getMessage());
        }
    }

    static String mtimeDiffers(Stat st, Node n) {
        return "mtime " + Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos()) + ", image says " + n.mtime();
    }

    private String compareContent(ContentChecks.Buffers buffers) throws IOException {
        ByteBuffer a = buffers.image(), b = buffers.dest();
        for (long pos = 0, len; pos < n.size(); pos += len) {
            len = Math.min(a.capacity(), n.size() - pos);
            a.clear().limit((int) len);
            b.clear().limit((int) len);
            content.readFully(pos, a);
            while (b.hasRemaining()) {
                if (Linux.pread(fd, b, pos + b.position()) <= 0) return "DEST file is shorter than its size says";
            }
            if (!a.flip().equals(b.flip())) return "content differs in bytes " + pos + ".." + (pos + len);
        }
        return null;
    }
}
