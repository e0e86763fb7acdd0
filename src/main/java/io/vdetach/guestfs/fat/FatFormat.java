package io.vdetach.guestfs.fat;

import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.FilesystemFormat;
import io.vdetach.guestfs.MountOptions;
import io.vdetach.guestfs.Probed;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * FAT12/16/32: no magic number, so a plausible BIOS parameter block (fatgen103 section 3) and
 * boot signature; probed after every format with an exact magic.
 */
public final class FatFormat implements FilesystemFormat {
    @Override public String name() { return "vfat"; }

    @Override
    public boolean probe(ByteBuffer b) {
        if (b.limit() < 512 || (b.getShort(510) & 0xffff) != 0xaa55) return false;
        int bytesPerSector = b.getShort(11) & 0xffff;
        int sectorsPerCluster = b.get(13) & 0xff;
        int media = b.get(21) & 0xff;
        boolean bpbOk = Integer.bitCount(bytesPerSector) == 1 && bytesPerSector >= 512 && bytesPerSector <= 4096
                && Integer.bitCount(sectorsPerCluster) == 1 && (b.getShort(14) & 0xffff) > 0 && (b.get(16) & 0xff) > 0
                && (media == 0xf0 || media >= 0xf8); // BPB_Media: 0xF0 or 0xF8..0xFF
        return bpbOk && (FilesystemFormat.has(b, 0x36, "FAT") || FilesystemFormat.has(b, 0x52, "FAT")
                || (b.get(0) & 0xff) == 0xeb || (b.get(0) & 0xff) == 0xe9);
    }

    @Override
    public Probed open(Layer volume, MountOptions options, BlockCache cache) throws IOException {
        return new Probed.Readable(FatFilesystem.open(volume, options.fatZone(), new OemCodePage(options.fatCodePage()), cache));
    }
}
