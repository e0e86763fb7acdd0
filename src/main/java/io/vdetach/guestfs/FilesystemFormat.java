package io.vdetach.guestfs;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One kind of volume content vdetach recognises: a filesystem it reads, or something it only
 * names ({@link NamedOnly}). Each lives in its own package and is one entry of
 * {@link FilesystemProbe#FORMATS}; that entry is all a new filesystem adds outside its package.
 */
public interface FilesystemFormat {

    /** "ntfs", "vfat", "LUKS", … for messages. */
    String name();

    /**
     * Whether {@code head}, the volume's first {@link FilesystemProbe#PROBE_BYTES} bytes (fewer when
     * the volume is smaller; little-endian, read with absolute gets only), carry this format's signature.
     */
    boolean probe(ByteBuffer head);

    /** Opens the volume {@link #probe} recognised: {@link Probed.Readable} or {@link Probed.NotExtracted}. */
    Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException;

    /** Whether {@code head} holds the ISO-8859-1 bytes of {@code magic} at {@code at}. */
    static boolean has(ByteBuffer head, int at, String magic) {
        if (head.limit() < at + magic.length()) return false;
        byte[] want = magic.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < want.length; i++) if (head.get(at + i) != want[i]) return false;
        return true;
    }
}
