package io.vdetach.apply.offline.ext4;

import io.vdetach.apply.offline.device.FileBlockDevice;
import io.vdetach.extent.BlockCache;
import io.vdetach.guestfs.ext.codec.Ext4GroupDesc;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader side against mke2fs: every group's bitmap (read, or computed for BLOCK_UNINIT
 * groups) agrees with the descriptor's free count, every checksum we compute matches the
 * one mke2fs wrote, and superblock, descriptors and the root inode serialise back to the very
 * bytes mke2fs wrote.
 */
class Ext4VolumeTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "^metadata_csum,uninit_bg", "^64bit,^flex_bg", "^metadata_csum,^uninit_bg", "sparse_super2"})
    void bitmapsAndChecksumsAgreeWithMke2fs(String features, @TempDir Path dir) throws Exception {
        Need.tools("mke2fs");
        Path dev = dir.resolve("fs");
        Sh.run("truncate", "-s", "256M", dev.toString());
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-g", "2048", "-N", "20000"));
        if (!features.isEmpty()) cmd.addAll(List.of("-O", features));
        cmd.add(dev.toString());
        Sh.run(cmd.toArray(String[]::new));
        byte[] sbBytes = new byte[1024];
        try (FileChannel ch = FileChannel.open(dev)) {
            ch.read(ByteBuffer.wrap(sbBytes), 1024);
        }
        Ext4SuperBlock sb = Ext4SuperBlock.parse(ByteBuffer.wrap(sbBytes)).validate(256L << 20);
        assertThat(sb.checksumValid()).isTrue();
        assertThat(sb.serialise()).isEqualTo(sbBytes);
        try (FileBlockDevice d = FileBlockDevice.open(dev, 4096, false); FileChannel ch = FileChannel.open(dev)) {
            Ext4Volume fs = Ext4Volume.open(d, dev.toString(), 0, sb, BlockCache.withDefaultBudget());
            int uninit = 0;
            long free = 0;
            for (int g = 0; g < fs.groups(); g++) {
                byte[] bm = fs.blockBitmap(g);
                int used = 0;
                for (int i = 0; i < fs.groupBlocks(g); i++) if (Ext4Volume.bit(bm, i)) used++;
                long descFree = fs.descriptor(g).freeBlocksCount();
                assertThat(fs.groupBlocks(g) - used).as("group " + g + " free blocks").isEqualTo(descFree);
                free += descFree;
                if (fs.descriptor(g).hasFlag(Ext4GroupDesc.BLOCK_UNINIT)) uninit++;
                // the checksum (verified when the volume opened) and every other field round-trip
                ByteBuffer onDisk = ByteBuffer.allocate(sb.descSize());
                ch.read(onDisk, sb.descriptorOffset(g));
                assertThat(fs.descriptor(g).serialise(sb)).as("group descriptor " + g).isEqualTo(onDisk.array());
            }
            assertThat(free).isEqualTo(sb.freeBlocksCount());
            System.out.println(features + ": " + fs.groups() + " groups, " + uninit + " BLOCK_UNINIT");
            Ext4Inode root = fs.inode(2); // its checksum is verified with metadata_csum
            assertThat(root.serialise(sb)).isEqualTo(root.raw());
        }
    }
}
