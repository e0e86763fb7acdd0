package io.vdetach.apply;

import io.vdetach.evidence.EntryRecord;
import io.vdetach.guestfs.Node;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files {@code detach --streaming} created, to be finished (metadata, evidence) after the
 * copy: one record a file in a {@link SpillFile}, none on the heap. What stays in memory is per
 * directory: the host directory's handle (its path below DEST) and the guest path of its
 * entries' parent (for messages), which every file of it names by number.
 */
final class PlannedFiles implements AutoCloseable {
    /** A host directory files were created in, and the guest path of their parent. */
    record Dir(Tally.Volume volume, DirHandle handle, String volumeName, List<byte[]> guestParent) {
        boolean holds(Tally.Volume v, DirHandle h, EntryPath display) {
            List<byte[]> p = display.path();
            if (volume != v || handle != h || !volumeName.equals(display.volume()) || p.size() != guestParent.size() + 1) return false;
            for (int i = 0; i < guestParent.size(); i++) {
                if (guestParent.get(i) != p.get(i) && !Arrays.equals(guestParent.get(i), p.get(i))) return false;
            }
            return true;
        }
    }

    /**
     * A planned file as read back.
     *
     * @param name its name in its host directory (a conflict may have renamed it)
     * @param guestName the last part of its guest path
     */
    record File(int number, Dir dir, byte[] name, byte[] guestName, long size, EntryRecord.Extraction extraction, Node node) {
        EntryPath display() {
            List<byte[]> p = new ArrayList<>(dir.guestParent());
            p.add(guestName);
            return new EntryPath(dir.volumeName(), p);
        }

        /** Relative to DEST. */
        byte[] hostPath() {
            return VolumeExtraction.join(dir.handle().hostPath(), name);
        }
    }

    @FunctionalInterface
    interface Visitor {
        void file(File f) throws IOException;
    }

    /** Reading one file's directory and name back: enough for most names in one read. */
    private static final int NAME_READ = 512;

    private final SpillFile spill;
    private final List<Dir> dirs = new ArrayList<>();
    /** The last directory slot of each handle: a handle's files all share it but in odd cases (see {@link Dir#holds}). */
    private final Map<DirHandle, Integer> slotOf = new IdentityHashMap<>();
    private int count;

    PlannedFiles() throws IOException {
        spill = SpillFile.create("files");
    }

    /** Records a file; returns where its record starts (what {@link #hostPath} takes). */
    long add(Tally.Volume vf, DirHandle dir, byte[] name, EntryPath display, Node node, long size, EntryRecord.Extraction how)
            throws IOException {
        Integer slot = slotOf.get(dir);
        if (slot == null || !dirs.get(slot).holds(vf, dir, display)) {
            List<byte[]> p = display.path();
            dirs.add(new Dir(vf, dir, display.volume(), p.subList(0, p.size() - 1)));
            slot = dirs.size() - 1;
            slotOf.put(dir, slot);
        }
        long at = spill.position();
        DataOutputStream o = spill.output();
        o.writeInt(slot);
        SpilledNode.bytes(o, name);
        SpilledNode.bytes(o, display.path().getLast());
        o.writeLong(size);
        o.writeLong(how.copied());
        o.writeLong(how.decoded());
        SpilledNode.write(o, node);
        count++;
        return at;
    }

    /** Bytes of the records. */
    long bytes() {
        return spill.position();
    }

    /** Files recorded. */
    int count() {
        return count;
    }

    /** After the last {@link #add}: the records can be read. */
    void planned() throws IOException {
        spill.flush();
    }

    /** The path below DEST of the file whose record starts at {@code record}. */
    byte[] hostPath(long record) throws IOException {
        DataInputStream in = spill.input(record, spill.position(), NAME_READ);
        Dir d = dirs.get(in.readInt());
        return VolumeExtraction.join(d.handle().hostPath(), SpilledNode.bytes(in));
    }

    /** Every file in the order recorded. */
    void forEach(Visitor v) throws IOException {
        DataInputStream in = spill.input(0, spill.position(), SpillFile.BUFFER);
        for (int i = 0; i < count; i++) {
            Dir d = dirs.get(in.readInt());
            byte[] name = SpilledNode.bytes(in), guestName = SpilledNode.bytes(in);
            long size = in.readLong();
            EntryRecord.Extraction how = new EntryRecord.Extraction(0, in.readLong(), in.readLong());
            v.file(new File(i, d, name, guestName, size, how, SpilledNode.read(in)));
        }
    }

    @Override
    public void close() throws IOException {
        spill.close();
    }
}
