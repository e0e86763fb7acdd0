package io.vdetach.extent;

import io.vdetach.error.CorruptImageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A logical byte object in the stack file &rarr; volume &rarr; disk &rarr; image file: it can be
 * read, and it can say where each of its byte ranges lives one layer down (like QEMU's
 * block_status). Implementations are read-only and safe to read from several threads:
 * every read is positional.
 */
public interface Layer {

    /** Logical size in bytes. */
    long size();

    /**
     * Reads bytes at {@code offset} into {@code dst} (holes read as zeros, materialised
     * runs decoded). Fills as much of {@code dst} as lies before {@link #size()}.
     *
     * @return the number of bytes read; 0 when {@code offset >= size()}
     */
    int read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Where {@code [offset, offset + length)} lives one layer down: runs in order, contiguous,
     * covering exactly that range (clipped to {@link #size()}). A {@link Run.Mapped} names the
     * lower layer and the offset there.
     */
    List<Run> map(long offset, long length) throws IOException;

    /** A short human name for messages: "ext4 inode 12", "p1", "disk.qcow2". */
    String describe();

    /**
     * Reads exactly {@code dst.remaining()} bytes. A structure that points past the end of its
     * layer is corrupt (a truncated image, or a hostile offset): that is a
     * {@link CorruptImageException} naming this layer and the offset, not an I/O error.
     */
    default void readFully(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = read(pos, dst);
            if (n <= 0) {
                throw new CorruptImageException(describe(), "data past the end", pos, dst.remaining()
                        + " bytes wanted past the end (" + size() + " bytes): a truncated image or an offset out of range");
            }
            pos += n;
        }
    }

    /** Reads {@code length} bytes at {@code offset} into a new little-endian buffer. */
    default ByteBuffer readBytes(long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        readFully(offset, b);
        return b.flip();
    }
}
