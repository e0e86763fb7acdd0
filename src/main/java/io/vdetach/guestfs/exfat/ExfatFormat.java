package io.vdetach.guestfs.exfat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import java.io.IOException;
import java.nio.ByteBuffer;

/** exFAT: the boot sector's FileSystemName at byte 3 is "EXFAT   ". */
public final class ExfatFormat implements FilesystemFormat {
    @Override public String name() { return "exfat"; }

    @Override public boolean probe(ByteBuffer head) { return FilesystemFormat.has(head, 3, "EXFAT   "); }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        return new Probed.Readable(ExfatFilesystem.open(volume, cache));
    }
}
