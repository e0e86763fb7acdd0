package io.vdetach.guestfs.ntfs;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import java.io.IOException;
import java.nio.ByteBuffer;

/** NTFS: the boot sector's OEM id at byte 3 is "NTFS    ". */
public final class NtfsFormat implements FilesystemFormat {
    @Override public String name() { return "ntfs"; }

    @Override public boolean probe(ByteBuffer head) { return FilesystemFormat.has(head, 3, "NTFS    "); }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        return new Probed.Readable(NtfsFilesystem.open(volume, options.systemFiles(), options.ntfsXattrs(), cache));
    }
}
