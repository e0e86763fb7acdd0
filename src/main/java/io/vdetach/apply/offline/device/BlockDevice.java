package io.vdetach.apply.offline.device;

import java.io.IOException;

/**
 * The offline writer's only way to the host: whole blocks at block indexes (like e2fsprogs'
 * io_manager). Undo logging, fault injection and counting are decorators over this interface,
 * so the writer never knows about them.
 */
public interface BlockDevice extends AutoCloseable {

    /** Block size in bytes (the host filesystem's block size). */
    int blockSize();

    /** Number of whole blocks on the device. */
    long blockCount();

    /** Reads block {@code block} into {@code dst} (length {@link #blockSize()}). */
    void read(long block, byte[] dst) throws IOException;

    /** Overwrites block {@code block} with {@code src} (length {@link #blockSize()}). */
    void write(long block, byte[] src) throws IOException;

    /**
     * Announces the blocks the next writes will overwrite, so a decorator can do its work for
     * all of them at once (the undo log saves them and syncs once). Writing blocks that were not
     * announced is still allowed, only slower.
     */
    default void willWrite(long[] blocks) throws IOException {}

    /** Makes every write so far durable. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
