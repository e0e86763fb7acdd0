package io.vdetach.api;

import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * One volume of an opened image: a partition, a logical volume, the whole unpartitioned disk, or
 * a shadow copy of one; and the filesystem on it, when vdetach reads it. Thread-safe.
 */
public final class GuestVolume {
    private final OpenedImage image;
    private final OpenedImage.Slot slot;

    GuestVolume(OpenedImage image, OpenedImage.Slot slot) {
        this.image = image;
        this.slot = slot;
    }

    /** {@code p1}, {@code p5}, {@code vg-lv}, {@code disk}, or {@code p1@vss2} for a shadow copy: the directory extraction makes. */
    public String name() { return slot.volume().name(); }

    /** Where it was found: "gpt", "mbr", "lvm", "none" (an unpartitioned disk) or "vss" (a shadow copy). */
    public String scheme() { return slot.volume().scheme(); }

    /** Byte offset on the disk (for LVM, of the first segment). */
    public long start() { return slot.volume().start(); }

    public long size() { return slot.volume().size(); }

    /** The partition type as people call it ("Linux filesystem", "0x07 HPFS/NTFS/exFAT"). */
    public String partitionType() { return slot.volume().type(); }

    /** The GPT partition name or LV name; empty when none. */
    public String partitionLabel() { return slot.volume().label(); }

    /** Whether it holds a filesystem vdetach reads ({@link #root()} works). */
    public boolean readable() { return filesystemOrNull() != null; }

    /**
     * What it holds: the filesystem type ("ext4", "ntfs", "vfat", "exfat", "xfs") when readable,
     * else what vdetach recognised ("swap", "bitlocker", "luks", "btrfs", "empty", "unknown", "damaged", …).
     */
    public String contentType() {
        return switch (slot.probed()) {
            case Probed.Readable r -> r.filesystem().type();
            case Probed.NotExtracted n -> n.what();
        };
    }

    /** One line as {@code vdetach ls} describes the contents: filesystem, label and block size, or what and why not. */
    public String description() {
        String readable = switch (slot.probed()) {
            case Probed.Readable r -> r.filesystem().type() + (r.filesystem().label().isEmpty() ? "" : " \"" + r.filesystem().label() + "\"")
                    + " (" + r.filesystem().blockSize() + "-byte blocks)";
            case Probed.NotExtracted n -> n.what() + ": " + n.why() + (slot.problem() != null ? "" : ", not extracted");
        };
        if (slot.bitlocker() != null && !slot.bitlocker().locked()) {
            return slot.bitlocker().summary() + "; unlocked by " + slot.bitlocker().unlockedBy() + ": " + readable;
        }
        return readable;
    }

    /** The filesystem's label; empty when it has none or is not readable. */
    public String filesystemLabel() {
        GuestFilesystem fs = filesystemOrNull();
        return fs == null ? "" : fs.label();
    }

    /** The filesystem's block (cluster) size; 0 when not readable. */
    public int blockSize() {
        GuestFilesystem fs = filesystemOrNull();
        return fs == null ? 0 : fs.blockSize();
    }

    /** Bytes the filesystem's own counters say are in use; -1 when unknown. */
    public long usedBytes() {
        GuestFilesystem fs = filesystemOrNull();
        return fs == null ? -1 : fs.usedBytes();
    }

    /** Entries (inodes) in use as the filesystem's counters say; -1 when unknown. */
    public long usedEntries() {
        GuestFilesystem fs = filesystemOrNull();
        return fs == null ? -1 : fs.usedEntries();
    }

    /** Facts about the filesystem a user should see (journal needs recovery, dirty, …). */
    public List<String> warnings() {
        GuestFilesystem fs = filesystemOrNull();
        return fs == null ? List.of() : fs.warnings();
    }

    /** Why a filesystem that was recognised could not be opened (damaged, unsupported); empty otherwise. */
    public Optional<VdetachIOException> problem() {
        return Optional.ofNullable(slot.problem()).map(Failures::translate);
    }

    /** The BitLocker facts of an encrypted volume (locked, or unlocked by the given secrets). */
    public Optional<BitLocker> bitLocker() {
        return Optional.ofNullable(slot.bitlocker()).map(BitLocker::of);
    }

    /**
     * The VSS shadow copies of an NTFS volume; empty for a volume without any (not NTFS, no VSS
     * header) and for a shadow copy itself. A damaged catalog throws.
     */
    public Optional<ShadowCopies> shadowCopies() throws IOException {
        return Failures.call(() -> Optional.ofNullable(image.shadowCopies(slot)).map(c -> ShadowCopies.of(name(), c)));
    }

    /** The filesystem's root directory. */
    public Entry root() throws IOException {
        GuestFilesystem fs = filesystem();
        Node root = Failures.call(() -> fs.node(fs.rootId()));
        return new Entry(this, name(), new byte[0], root, null);
    }

    /** The entry at {@code path} below the root ("etc/hosts"), symlinks not followed; empty when there is none. */
    public Optional<Entry> entry(String path) throws IOException {
        return root().resolve(path);
    }

    /** Walks the whole filesystem ({@link EntryVisitor}). */
    public void walk(EntryVisitor visitor) throws IOException {
        walk(root(), visitor);
    }

    /** Walks the subtree of {@code start}, an entry of this volume. */
    public void walk(Entry start, EntryVisitor visitor) throws IOException {
        if (start.volume() != this) throw new IllegalArgumentException(start.path() + " is not an entry of volume " + name());
        GuestFilesystem fs = filesystem();
        Deque<Entry> dirs = new ArrayDeque<>();
        Failures.call(() -> {
            TreeWalker.walk(fs, start.node(), List.of(), new TreeWalker.Visitor() {
                @Override
                public boolean enter(List<byte[]> path, Node dir) throws IOException {
                    Entry e = path.isEmpty() ? start : dirs.peek().childOf(path.getLast(), dir);
                    if (!visitor.enterDirectory(e)) return false;
                    dirs.push(e);
                    return true;
                }

                @Override
                public void leave(List<byte[]> path, Node dir) throws IOException {
                    visitor.leaveDirectory(dirs.pop());
                }

                @Override
                public void entry(List<byte[]> path, Node node) throws IOException {
                    visitor.visit(path.isEmpty() ? start : dirs.peek().childOf(path.getLast(), node));
                }

                @Override
                public void error(List<byte[]> path, String reason) {
                    StringBuilder p = new StringBuilder(start.path());
                    for (byte[] c : path) p.append('/').append(Names.component(c));
                    visitor.failed(p.toString(), List.copyOf(path), reason);
                }
            });
            return null;
        });
    }

    GuestFilesystem filesystem() throws IOException {
        GuestFilesystem fs = filesystemOrNull();
        if (fs != null) return fs;
        if (slot.problem() != null) throw Failures.translate(slot.problem());
        throw Failures.of(FailureKind.USAGE, "volume " + name() + " holds no filesystem vdetach reads (" + description() + ")");
    }

    private GuestFilesystem filesystemOrNull() { return slot.filesystem(); }

    OpenedImage.Slot slot() { return slot; }

    @Override
    public String toString() { return name() + " (" + description() + ")"; }
}
