package io.vdetach.guestfs.ext;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import java.io.IOException;
import java.nio.ByteBuffer;

/** ext2, ext3 and ext4: the superblock at 1024 holds s_magic 0xEF53 at its byte 56. */
public final class ExtFormat implements FilesystemFormat {
    @Override public String name() { return "ext"; }

    @Override
    public boolean probe(ByteBuffer head) {
        return head.limit() >= 1024 + 58 && (head.getShort(1024 + 56) & 0xffff) == 0xef53;
    }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        return new Probed.Readable(ExtFilesystem.open(volume, cache));
    }
}
