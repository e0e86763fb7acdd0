package io.vdetach.guestfs.xfs;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import java.io.IOException;
import java.nio.ByteBuffer;

/** XFS: the primary superblock at byte 0 starts with "XFSB". */
public final class XfsFormat implements FilesystemFormat {
    @Override public String name() { return "xfs"; }

    @Override public boolean probe(ByteBuffer head) { return FilesystemFormat.has(head, 0, "XFSB"); }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        return new Probed.Readable(XfsFilesystem.open(volume, cache));
    }
}
