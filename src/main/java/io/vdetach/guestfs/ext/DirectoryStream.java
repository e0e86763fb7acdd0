package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.ext.codec.DirBlock;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A block-mapped directory's entries read {@code readBytes} at a time (whole blocks), so only
 * those bytes' entries are held, however large the directory. An entry naming the directory
 * itself or the root is a cycle: corrupt.
 */
final class DirectoryStream implements GuestFilesystem.Entries {
    private final Layer volume;
    private final String type;
    private final Ext4SuperBlock sb;
    private final Ext4Inode ino;
    private final List<Run> runs;
    private final int readBytes;
    private final long rootInode;
    private final ArrayDeque<DirEntry> pending = new ArrayDeque<>();
    private int run;
    private long done;

    DirectoryStream(Layer volume, String type, Ext4SuperBlock sb, Ext4Inode ino, List<Run> runs, int readBytes, long rootInode) {
        this.volume = volume;
        this.type = type;
        this.sb = sb;
        this.ino = ino;
        this.runs = runs;
        this.readBytes = readBytes;
        this.rootInode = rootInode;
    }

    /** Entries read already (an inline directory's), handed out before any block is read. */
    DirectoryStream with(List<DirEntry> entries) {
        for (DirEntry e : entries) pending.add(checked(e));
        return this;
    }

    @Override
    public DirEntry next() throws IOException {
        while (pending.isEmpty()) {
            if (run == runs.size()) return null;
            if (!(runs.get(run) instanceof Run.Mapped m) || done == m.length()) { // holes in a directory hold no entries
                run++;
                done = 0;
                continue;
            }
            int bs = sb.blockSize();
            int n = (int) Math.min(readBytes, m.length() - done);
            long at = m.offset() + done;
            ByteBuffer b = volume.readBytes(at, n);
            List<DirEntry> got = new ArrayList<>();
            for (int off = 0; off < n; off += bs) {
                boolean firstBlock = m.start() + done + off == 0;
                ExtFilesystem.entries(DirBlock.parse(b, off, bs, at + off, sb, ino.number()), firstBlock, got);
            }
            done += n;
            for (DirEntry e : got) pending.add(checked(e));
        }
        return pending.poll();
    }

    private DirEntry checked(DirEntry e) {
        if (e.id() == ino.number() || e.id() == rootInode) {
            throw new CorruptImageException(type, "directory inode " + ino.number(), ino.offset(),
                    "entry '" + new String(e.name(), StandardCharsets.UTF_8) + "' links back to inode " + e.id() + " (cycle)");
        }
        return e;
    }
}
