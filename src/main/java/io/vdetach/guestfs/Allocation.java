package io.vdetach.guestfs;

import io.vdetach.error.HostException;
import io.vdetach.error.ImageException;
import io.vdetach.extent.Layer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** What a filesystem's own allocation structures say, for {@link GuestFilesystem#usedBytes()} and the like. */
public final class Allocation {
    private Allocation() {}

    /** Counts what the filesystem's structures say (a bitmap, a table). */
    @FunctionalInterface
    public interface Count {
        long count() throws IOException;
    }

    /**
     * {@code count}'s answer, or -1 when the structures it reads are damaged or truncated (an
     * estimate only: the damage is reported where it matters). Host failures and bugs surface.
     */
    public static long estimate(Count count) {
        try {
            return count.count();
        } catch (ImageException | EOFException e) {
            return -1;
        } catch (IOException e) {
            throw new HostException("reading the filesystem's allocation counters: " + e.getMessage(), e);
        }
    }

    /** Bits set in the first {@code bytes} of {@code bitmap}. */
    public static long setBits(Layer bitmap, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long set = 0;
        for (long at = 0; at < bytes; at += buf.capacity()) {
            buf.clear().limit((int) Math.min(buf.capacity(), bytes - at));
            bitmap.readFully(at, buf);
            int i = 0;
            for (; i + 8 <= buf.limit(); i += 8) set += Long.bitCount(buf.getLong(i));
            for (; i < buf.limit(); i++) set += Integer.bitCount(buf.get(i) & 0xff);
        }
        return set;
    }
}
