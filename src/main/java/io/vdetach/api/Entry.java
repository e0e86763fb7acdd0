package io.vdetach.api;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.FileAttributes;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Xattr;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.PlannedRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One guest entry reached under one name: its metadata, read once when the entry was found, and
 * handles to its content, children and run map. Immutable and safe to share between threads.
 *
 * <p>{@link #path()} starts with the volume ("p1/etc/hosts"; the volume's root is "p1"). Guest names
 * are bytes; a name that is not plain UTF-8 text is shown with {@code %XX} escapes
 * ({@link #nameBytes()} gives the bytes). An NTFS named stream is an entry of its own, named
 * {@code file:stream} ({@link #streams()}).
 */
public final class Entry {
    /** A host block size for run maps: what extraction onto a 4 KiB-block host filesystem would share. */
    public static final int DEFAULT_HOST_BLOCK = 4096;

    private final GuestVolume volume;
    private final String path;
    private final byte[] name;
    private final Node node;
    /** For a named stream: the stream (its content); null for the entry itself. */
    private final NamedStream stream;

    Entry(GuestVolume volume, String path, byte[] name, Node node, NamedStream stream) {
        this.volume = volume;
        this.path = path;
        this.name = name;
        this.node = node;
        this.stream = stream;
    }

    public GuestVolume volume() { return volume; }

    /** "p1/etc/hosts": the volume's name, then the guest path ("p1" for the volume's root). */
    public String path() { return path; }

    /** The last component of {@link #path()}; the volume's name for its root. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The guest's own bytes of the name (UTF-8 for filesystems that store UTF-16); empty for a root. */
    public byte[] nameBytes() { return name.clone(); }

    /**
     * The filesystem's number for the entry (inode number, MFT record number, …): entries of one
     * volume with the same id are hard links of one file.
     */
    public long id() { return node.id(); }

    public EntryType type() { return stream != null ? EntryType.FILE : EntryType.of(node.type()); }

    public boolean isDirectory() { return type() == EntryType.DIRECTORY; }

    public boolean isRegularFile() { return type() == EntryType.FILE; }

    public boolean isSymbolicLink() { return type() == EntryType.SYMLINK; }

    /** Permission bits with setuid, setgid and sticky (07777), without the type. */
    public int mode() { return node.mode(); }

    public long uid() { return node.uid(); }

    public long gid() { return node.gid(); }

    /** Bytes of content (a symlink: of its target; a named stream: of the stream). */
    public long size() { return stream != null ? stream.content().size() : node.size(); }

    public int nlink() { return node.nlink(); }

    public Instant mtime() { return node.mtime(); }

    public Instant atime() { return node.atime(); }

    /** The inode change time (for FAT and exFAT, which keep none, the modification time as Linux shows it). */
    public Instant ctime() { return node.ctime(); }

    /** The creation (birth) time, where the filesystem keeps one. */
    public Optional<Instant> crtime() { return Optional.ofNullable(node.btime()); }

    /**
     * The Windows file attributes (MS-FSCC 2.6 {@code FILE_ATTRIBUTE_*} bits: 0x1 read-only, 0x2
     * hidden, 0x4 system, 0x20 archive, 0x800 compressed, …) as Windows shows them, for NTFS, FAT
     * and exFAT entries; empty for filesystems without them.
     */
    public OptionalInt fileAttributes() {
        return node.fileAttributes() < 0 ? OptionalInt.empty() : OptionalInt.of(node.fileAttributes());
    }

    /** {@link #fileAttributes()} by name ("FILE_ATTRIBUTE_ARCHIVE", …), in bit order; empty where there are none. */
    public List<String> fileAttributeNames() {
        return node.fileAttributes() < 0 ? List.of() : FileAttributes.names(node.fileAttributes());
    }

    /** A symlink's target as text (UTF-8, invalid bytes replaced); null for other entries. */
    public String symlinkTarget() {
        return node.symlinkTarget() == null || stream != null ? null : new String(node.symlinkTarget(), StandardCharsets.UTF_8);
    }

    /** A symlink's target as the guest stores it; null for other entries. */
    public byte[] symlinkTargetBytes() {
        return node.symlinkTarget() == null || stream != null ? null : node.symlinkTarget().clone();
    }

    /** The major number of a device node; 0 for other entries. */
    public long deviceMajor() { return node.rdevMajor(); }

    public long deviceMinor() { return node.rdevMinor(); }

    /**
     * Extended attributes by full Linux name ({@code user.x}, {@code security.selinux},
     * {@code system.posix_acl_access}), in the order the filesystem keeps them. NTFS named streams
     * up to 64 KiB are here too as {@code user.<stream>}, as ntfs-3g shows them. A named stream has none.
     */
    public Map<String, byte[]> xattrs() {
        if (stream != null) return Map.of();
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Xattr x : node.xattrs()) out.put(x.name(), x.value().clone());
        return Collections.unmodifiableMap(out);
    }

    /** Facts a user should see about this entry (encrypted, journal-only, …). */
    public List<String> notes() { return node.notes(); }

    /** For a named stream, its name ("Zone.Identifier"); null for the entry itself. */
    public String streamName() {
        return stream == null ? null : Names.component(stream.name());
    }

    /** Whether {@code other} is the same file (or the same stream of it): a hard link, or this very entry. */
    public boolean isSameFile(Entry other) {
        return other.volume == volume && other.node.id() == node.id()
                && (stream == null ? other.stream == null : other.stream != null && java.util.Arrays.equals(stream.name(), other.stream.name()));
    }

    /**
     * The content of a regular file or named stream as a read-only channel with positional reads
     * ({@link FileChannel#read(ByteBuffer, long)}); holes read as zeros. Closing it does not close
     * the image.
     */
    public FileChannel open() throws IOException {
        return new GuestChannel(content());
    }

    /** The whole content of a regular file or named stream of at most 2 GiB. */
    public byte[] readAllBytes() throws IOException {
        Layer content = content();
        if (content.size() > Integer.MAX_VALUE - 8) {
            throw Failures.of(FailureKind.USAGE, path + ": " + content.size() + " bytes do not fit in an array (read it with open())");
        }
        ByteBuffer b = ByteBuffer.allocate((int) content.size());
        Failures.call(() -> {
            content.readFully(0, b);
            return null;
        });
        return b.array();
    }

    /** The run map as extraction onto a host with {@value #DEFAULT_HOST_BLOCK}-byte blocks would classify it. */
    public List<DataRun> runs() throws IOException {
        return runs(DEFAULT_HOST_BLOCK);
    }

    /**
     * The content's runs, in order and covering it whole, each with where its bytes lie on the host
     * and whether extraction could share them with an image on the same filesystem as DEST, whose
     * blocks are {@code hostBlockSize} bytes.
     */
    public List<DataRun> runs(int hostBlockSize) throws IOException {
        if (hostBlockSize <= 0 || Integer.bitCount(hostBlockSize) != 1) {
            throw new IllegalArgumentException("host block size " + hostBlockSize + ": a power of two");
        }
        Layer content = content();
        return Failures.call(() -> {
            List<DataRun> out = new ArrayList<>();
            if (content.size() == 0) return out;
            for (PlannedRun r : Classifier.hypothetical(hostBlockSize).classify(ExtentMaps.toHostFiles(content, 0, content.size()),
                    content.size())) {
                out.add(new DataRun(r.fileOffset(), r.length(), RunKind.valueOf(r.kind().name()),
                        r.source() == null ? null : r.source().path(), r.source() == null ? -1 : r.sourceOffset(), r.reason()));
            }
            return List.copyOf(out);
        });
    }

    /** The named streams of an NTFS file or directory, each an entry named {@code file:stream}; empty elsewhere. */
    public List<Entry> streams() throws IOException {
        if (stream != null) return List.of();
        GuestFilesystem fs = volume.filesystem();
        return Failures.call(() -> {
            List<Entry> out = new ArrayList<>();
            for (NamedStream s : fs.namedStreams(node)) out.add(streamEntry(s));
            return List.copyOf(out);
        });
    }

    /** The named stream {@code name} of this file; empty when there is none. */
    public Optional<Entry> stream(String name) throws IOException {
        for (Entry s : streams()) if (s.streamName().equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    private Entry streamEntry(NamedStream s) {
        String n = Names.component(s.name());
        byte[] full = new byte[name.length + 1 + s.name().length];
        System.arraycopy(name, 0, full, 0, name.length);
        full[name.length] = ':';
        System.arraycopy(s.name(), 0, full, name.length + 1, s.name().length);
        return new Entry(volume, path + ":" + n, full, node, s);
    }

    /**
     * The entry named {@code name} in this directory (symlinks are not followed); empty when there is
     * none. {@code name} is a path component as {@link #name()} gives it ({@code %XX} escapes for
     * names that are not plain text).
     */
    public Optional<Entry> child(String name) throws IOException {
        byte[] want = name.getBytes(StandardCharsets.UTF_8);
        return find(raw -> Names.matches(raw, name, want));
    }

    /** The entry whose name is exactly the bytes {@code name} (a symlink target's component); empty when there is none. */
    public Optional<Entry> child(byte[] name) throws IOException {
        return find(raw -> java.util.Arrays.equals(raw, name));
    }

    private Optional<Entry> find(java.util.function.Predicate<byte[]> named) throws IOException {
        requireDirectory();
        GuestFilesystem fs = volume.filesystem();
        return Failures.call(() -> {
            GuestFilesystem.Entries it = fs.entries(node);
            for (DirEntry e; (e = it.next()) != null; ) {
                if (named.test(e.name())) return Optional.of(childOf(e.name(), fs.node(e.id())));
            }
            return Optional.empty();
        });
    }

    /** The entry at {@code relative} ("etc/hosts") below this directory, symlinks not followed; empty when there is none. */
    public Optional<Entry> resolve(String relative) throws IOException {
        Entry e = this;
        for (String part : relative.split("/")) {
            if (part.isEmpty()) continue;
            if (!e.isDirectory()) return Optional.empty();
            Optional<Entry> next = e.child(part);
            if (next.isEmpty()) return next;
            e = next.get();
        }
        return Optional.of(e);
    }

    /** A directory's entries (without "." and ".."), read whole. */
    public List<Entry> list() throws IOException {
        try (Stream<Entry> s = children()) {
            return s.toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * A directory's entries, read as the stream is consumed (a directory of millions of names is
     * never held whole). A failure while reading throws an {@link UncheckedIOException} wrapping
     * a {@link VdetachIOException}.
     */
    public Stream<Entry> children() throws IOException {
        requireDirectory();
        GuestFilesystem fs = volume.filesystem();
        GuestFilesystem.Entries it = Failures.call(() -> fs.entries(node));
        Iterator<Entry> entries = new Iterator<>() {
            private Entry next;

            @Override
            public boolean hasNext() {
                if (next != null) return true;
                try {
                    next = Failures.call(() -> {
                        DirEntry e = it.next();
                        return e == null ? null : childOf(e.name(), fs.node(e.id()));
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return next != null;
            }

            @Override
            public Entry next() {
                if (!hasNext()) throw new NoSuchElementException();
                Entry e = next;
                next = null;
                return e;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(entries, Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    Entry childOf(byte[] childName, Node child) {
        return new Entry(volume, path + "/" + Names.component(childName), childName, child, null);
    }

    Node node() { return node; }

    Layer content() throws IOException {
        if (stream != null) return stream.content();
        if (node.type() != io.vdetach.guestfs.EntryType.FILE) {
            throw Failures.of(FailureKind.USAGE, path + ": not a regular file (" + type().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        return Failures.call(() -> volume.filesystem().content(node));
    }

    private void requireDirectory() throws IOException {
        if (!isDirectory()) throw Failures.of(FailureKind.USAGE, path + ": not a directory");
    }

    /** Equal when both name the same path of the same opened volume. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.volume == volume && e.path.equals(path);
    }

    @Override
    public int hashCode() { return path.hashCode(); }

    @Override
    public String toString() {
        return path + " (" + type().name().toLowerCase(java.util.Locale.ROOT) + ", " + size() + " bytes)";
    }
}
