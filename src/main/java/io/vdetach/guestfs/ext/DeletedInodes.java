package io.vdetach.guestfs.ext;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.guestfs.ext.codec.Ext4DirEntry;
import io.vdetach.guestfs.ext.codec.Ext4Inode;
import io.vdetach.guestfs.ext.codec.Ext4SuperBlock;
import io.vdetach.guestfs.ext.codec.Feature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deleted entries of an ext2/3/4 volume (--deleted), in two passes.
 *
 * <p>Names: every live directory's blocks are read for entries in the slack a live entry's
 * rec_len covers past its own name ("Linear (Classic) Directories": deleting an entry adds its
 * record to the one before it; the first entry of a block gets inode 0 instead). e2fsprogs and
 * pre-2021 kernels leave such names in place, often with their inode number; current kernels wipe
 * the name. Inodes: every inode table is read for inodes with links 0, a mode and a deletion time.
 *
 * <p>Each deleted inode a surviving name points to goes to {@code $Deleted/<directory>/<name>};
 * the others to {@code $Orphan/<inode>}; names whose inode field is 0 are listed by name only. Data
 * is given only where the inode's block pointers (or extent entries) survive (ext2, e2fsprogs);
 * ext3 and ext4 clear them on delete, so those are "names only": nothing is invented.
 *
 * <p>Bounds: one pass over the live directories (blocks as their inodes map them) and one over
 * the inode tables (s_inodes_count, checked against the groups by the superblock parser).
 */
final class DeletedInodes implements DeletedEntries {
    /** Inode table bytes read per step. */
    private static final int TABLE_READ = 1 << 20;

    /** A name found in slack: the live directory's path, the name, the inode it gave and its file type. */
    private record SlackName(List<byte[]> directory, byte[] name, long inode, int fileType) {}

    private final ExtFilesystem fs;
    private final Ext4SuperBlock sb;
    private final Map<Long, List<SlackName>> byInode = new HashMap<>();
    private final List<SlackName> withoutInode = new ArrayList<>();
    private final Deque<Recovered> ready = new ArrayDeque<>();
    private boolean namesRead;
    private long nextInode;
    private int nextWithoutInode;

    DeletedInodes(ExtFilesystem fs) {
        this.fs = fs;
        this.sb = fs.superBlock();
        this.nextInode = Math.max(1, sb.firstIno());
    }

    @Override
    public Recovered next() throws IOException {
        if (!namesRead) {
            namesRead = true;
            readNames();
        }
        while (ready.isEmpty()) {
            if (nextInode <= sb.inodesCount()) {
                long n = nextInode++; // advanced first: an inode that fails is not read again
                inode(n);
            } else if (nextWithoutInode < withoutInode.size()) {
                ready.add(nameOnly(withoutInode.get(nextWithoutInode++)));
            } else {
                return null;
            }
        }
        return ready.poll();
    }

    // ---- names in directory slack ---------------------------------------------------------

    private void readNames() throws IOException {
        TreeWalker.walk(fs, new TreeWalker.Visitor() {
            @Override
            public boolean enter(List<byte[]> path, Node dir) throws IOException {
                try {
                    slackOf(path, fs.rawInode(dir.id()));
                } catch (VdetachException e) {
                    // a damaged live directory: the live walk reports it
                }
                return true;
            }

            @Override public void leave(List<byte[]> path, Node dir) { }
            @Override public void entry(List<byte[]> path, Node node) { }
            @Override public void error(List<byte[]> path, String reason) { }
        });
    }

    private void slackOf(List<byte[]> path, Ext4Inode dir) throws IOException {
        if (dir == null || dir.hasFlag(Ext4Inode.INLINE_DATA_FL) || dir.hasFlag(Ext4Inode.ENCRYPT_FL)) return;
        int bs = sb.blockSize();
        boolean hashed = dir.hasFlag(Ext4Inode.INDEX_FL);
        long logical = 0;
        for (Run r : fs.directoryRuns(dir)) {
            if (!(r instanceof Run.Mapped m)) {
                logical += r.length();
                continue;
            }
            for (long off = 0; off + bs <= m.length(); off += bs, logical += bs) {
                // a hash tree's root and interior nodes hold hashes, not names, past their fake entries
                if (hashed && logical == 0) continue;
                ByteBuffer b = m.target().readBytes(m.offset() + off, bs);
                if (hashed && (b.getInt(0) == 0 && (b.getShort(4) & 0xffff) == bs % 65536 && b.get(6) == 0)) continue;
                block(b, bs, path);
            }
            logical += m.length() % bs;
        }
    }

    /** The live entries of one block and, in the slack each covers past its name, the deleted ones. */
    private void block(ByteBuffer b, int bs, List<byte[]> path) {
        boolean fileType = sb.has(Feature.FILETYPE);
        int pos = 0;
        while (pos + Ext4DirEntry.HEADER <= bs) {
            long ino = b.getInt(pos) & 0xffffffffL;
            int recLen = b.getShort(pos + 4) & 0xffff;
            if (recLen == 0 && bs == 65536) recLen = bs;
            int nameLen = fileType ? b.get(pos + 6) & 0xff : b.getShort(pos + 6) & 0xffff;
            if (recLen < Ext4DirEntry.HEADER || (recLen & 3) != 0 || recLen > bs - pos) return; // damaged: the live walk reports it
            int used = ino == 0 ? Ext4DirEntry.HEADER : Ext4DirEntry.HEADER + ((nameLen + 3) & ~3);
            if (ino == 0 && pos == 0) {
                // the first entry of a block, deleted: its name stays, its inode number is gone
                SlackName n = candidate(b, pos, recLen, fileType, path);
                if (n != null) add(n);
            }
            for (int q = pos + used; q + Ext4DirEntry.HEADER < pos + recLen; ) {
                SlackName n = candidate(b, q, pos + recLen - q, fileType, path);
                if (n == null) {
                    q += 4;
                    continue;
                }
                add(n);
                q += Ext4DirEntry.HEADER + ((n.name().length + 3) & ~3);
            }
            pos += recLen;
        }
    }

    /** A plausible deleted entry at {@code q} within {@code room} bytes, or null. */
    private SlackName candidate(ByteBuffer b, int q, int room, boolean fileType, List<byte[]> path) {
        long ino = b.getInt(q) & 0xffffffffL;
        int recLen = b.getShort(q + 4) & 0xffff;
        int nameLen = fileType ? b.get(q + 6) & 0xff : b.getShort(q + 6) & 0xffff;
        int type = fileType ? b.get(q + 7) & 0xff : Ext4DirEntry.FT_UNKNOWN;
        if (nameLen == 0 || Ext4DirEntry.HEADER + nameLen > room || recLen < Ext4DirEntry.HEADER + nameLen || (recLen & 3) != 0) return null;
        if (ino > sb.inodesCount() || (fileType && (type < 1 || type > 7))) return null;
        byte[] name = new byte[nameLen];
        b.get(q + Ext4DirEntry.HEADER, name);
        for (byte c : name) if (c == 0 || c == '/') return null;
        if (nameLen <= 2 && (name[0] == '.' && (nameLen == 1 || name[1] == '.'))) return null;
        return new SlackName(path, name, ino, type);
    }

    private void add(SlackName n) {
        if (n.inode() == 0) withoutInode.add(n);
        else byInode.computeIfAbsent(n.inode(), k -> new ArrayList<>()).add(n);
    }

    // ---- deleted inodes -------------------------------------------------------------------

    /** Inode {@code n}, when deleted: under each surviving name, or as an orphan. */
    private void inode(long n) throws IOException {
        Ext4Inode ino = fs.rawInode(n);
        if (ino == null || ino.mode() == 0 || ino.linksCount() != 0 || ino.dtime() == 0) return;
        if (ExtFilesystem.entryType(ino) == null) return;
        Node node = fs.nodeOf(ino);
        Layer content = null;
        Recovered.Recovery how = Recovered.Recovery.METADATA_INTACT;
        if (node.type() == EntryType.FILE) {
            content = pointersSurvive(ino) && ino.size() > 0 ? fs.contentOf(ino) : null;
            if (content != null && !mapsAnything(content)) content = null;
            how = content == null ? Recovered.Recovery.NAMES_ONLY
                    : reused(content) ? Recovered.Recovery.CLUSTERS_POSSIBLY_REUSED : Recovered.Recovery.METADATA_INTACT;
        }
        List<SlackName> names = byInode.get(n);
        if (names == null) {
            ready.add(new Recovered(Recovered.Place.ORPHAN, List.of(Long.toString(n).getBytes(StandardCharsets.US_ASCII)), node, how,
                    content, List.of()));
            return;
        }
        for (SlackName s : names) {
            List<byte[]> p = new ArrayList<>(s.directory());
            p.add(s.name());
            ready.add(new Recovered(Recovered.Place.DELETED, p, node, how, content, List.of()));
        }
    }

    /** Whether the inode still says where its data was: an extent header with entries, or a non-zero block pointer. */
    private static boolean pointersSurvive(Ext4Inode ino) {
        if (ino.hasFlag(Ext4Inode.INLINE_DATA_FL)) return false;
        ByteBuffer b = ByteBuffer.wrap(ino.block()).order(ByteOrder.LITTLE_ENDIAN);
        if (ino.hasFlag(Ext4Inode.EXTENTS_FL)) return (b.getShort(0) & 0xffff) == 0xF30A && (b.getShort(2) & 0xffff) > 0;
        for (int i = 0; i < Ext4Inode.BLOCK_BYTES; i += 4) if (b.getInt(i) != 0) return true;
        return false;
    }

    private static boolean mapsAnything(Layer content) throws IOException {
        for (Run r : content.map(0, content.size())) if (r instanceof Run.Mapped) return true;
        return false;
    }

    /** Whether any block the content claims is allocated now. */
    private boolean reused(Layer content) throws IOException {
        long bs = sb.blockSize();
        for (Run r : content.map(0, content.size())) {
            if (!(r instanceof Run.Mapped m)) continue;
            // the volume offset of each block the run covers
            for (long at = m.offset() / bs; at * bs < m.offset() + m.length(); at++) if (fs.blockAllocated(at)) return true;
        }
        return false;
    }

    /** A name whose inode number is gone: listed by name only, its times unknown. */
    private Recovered nameOnly(SlackName s) {
        EntryType t = switch (s.fileType()) {
            case Ext4DirEntry.FT_DIR -> EntryType.DIRECTORY;
            case 7 -> EntryType.SYMLINK;
            default -> EntryType.FILE;
        };
        Node node = new Node(0, t == EntryType.SYMLINK ? EntryType.FILE : t, 0600, 0, 0, 0, 0, Instant.EPOCH, Instant.EPOCH,
                Instant.EPOCH, null, null, 0, 0, List.of(), List.of("inode number gone: name only, times unknown"));
        List<byte[]> p = new ArrayList<>(s.directory());
        p.add(s.name());
        return new Recovered(Recovered.Place.DELETED, p, node, Recovered.Recovery.NAMES_ONLY, null, List.of());
    }
}
