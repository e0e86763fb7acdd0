package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.evidence.FileHasher;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One entry on its way into the evidence outputs: the walker makes it with what the guest says,
 * the thread that creates the entry adds where it went and how (or why it failed), the hasher adds
 * the content's hashes; once every part is in, its line is written ({@link EvidenceTrail#write}).
 * Parts: the walker's (released by {@link #walked}), the entry's creation (released once by
 * {@link #done}, {@link #fail} or {@link #skip}), the hashes (regular files, when hashing), and each
 * named stream written as a file of its own. With the evidence off, {@link #NONE} ignores everything.
 */
final class PendingEntry implements FileHasher.Listener {
    /** Evidence off: every call does nothing. */
    static final PendingEntry NONE = new PendingEntry();

    private final EvidenceTrail trail;
    private final EvidenceTrail.Scope scope;
    private final List<byte[]> guestPath;
    private final Node node;
    private final String inode;
    private final Long allocated;
    /** A regular file's content, kept for a re-read after its hasher fell back (null once {@link #rereadFromDest}). */
    private volatile Layer content;
    private final FileHasher hasher;
    private final boolean laterName;
    /** A named stream written as a file of its own reports to its file's entry instead of writing a line. */
    private final PendingEntry parent;
    private final byte[] streamName;
    /** Named streams by name, made for the first (guarded by this entry's lock). */
    private Map<String, EntryRecord.Stream> streams;
    private final AtomicInteger open = new AtomicInteger(2); // the walker's part and the creation's
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile byte[] hostPath;
    private volatile EntryRecord.Extraction extraction;
    private volatile EntryRecord.Status status = EntryRecord.Status.OK;
    private volatile String error;
    private volatile ErrorKind kind;

    private PendingEntry() {
        this.trail = null;
        this.scope = null;
        this.guestPath = List.of();
        this.node = null;
        this.inode = null;
        this.allocated = null;
        this.content = null;
        this.hasher = null;
        this.laterName = false;
        this.parent = null;
        this.streamName = null;
    }

    /**
     * @param data a regular file's data ranges (its hasher expects pieces of these); null: not hashed
     */
    PendingEntry(EvidenceTrail trail, EvidenceTrail.Scope scope, List<byte[]> guestPath, Node node, String inode,
                 Long allocated, Layer content, List<FileHasher.Range> data, boolean laterName, PendingEntry parent,
                 byte[] streamName) {
        this.trail = trail;
        this.scope = scope;
        this.guestPath = guestPath;
        this.node = node;
        this.inode = inode;
        this.allocated = allocated;
        this.content = content;
        this.laterName = laterName;
        this.parent = parent;
        this.streamName = streamName;
        boolean hashed = data != null && trail.hashing() && node.type() == EntryType.FILE;
        this.hasher = hashed ? new FileHasher(trail.algorithms(), node.size(), data, trail.budget(), this) : null;
        if (hashed) open.incrementAndGet();
    }

    /** Starts the hasher (the zeros before the first data); a file without data is hashed here. */
    PendingEntry start() {
        if (hasher != null) hasher.start();
        return this;
    }

    boolean on() { return trail != null; }

    /** The content to hash again after a fall-back; null when that comes from DEST instead. */
    Layer content() { return content; }

    /**
     * A fallen-back hasher will be fed from the extracted file, not from the image ({@code detach
     * --streaming} punches the image): the content layer (its run table) is let go now, so the
     * thousands of files a streaming plan holds until their copy do not each keep one.
     */
    void rereadFromDest() {
        content = null;
    }

    /** The content's hasher, offered every byte written; null when not hashing. */
    FileHasher hasher() { return hasher; }

    /** Where it was extracted, relative to DEST ("" is DEST itself). */
    void created(byte[] path) {
        if (trail != null) hostPath = path;
    }

    /** Where it was extracted: {@code name} in {@code dir}; the path is made only when the evidence is on. */
    void created(DirHandle dir, byte[] name) {
        if (trail != null) hostPath = VolumeExtraction.join(dir.hostPath(), name);
    }

    /** Created (a directory, symlink, special file, a later hard-link name). */
    void done() {
        if (trail != null && settled.compareAndSet(false, true)) release();
    }

    /** A regular file written completely. */
    void done(EntryRecord.Extraction how) {
        if (trail == null || !settled.compareAndSet(false, true)) return;
        extraction = how;
        release();
    }

    void fail(Throwable e) {
        fail(Tally.message(e), Tally.kindOf(e));
    }

    /** Not extracted, or not completely: the line says why; the content is not hashed. */
    void fail(String reason, ErrorKind why) {
        settle(EntryRecord.Status.ERROR, reason, why);
    }

    /** Left out by --on-conflict skip. */
    void skip(String reason) {
        settle(EntryRecord.Status.SKIPPED, reason, null);
    }

    private void settle(EntryRecord.Status s, String reason, ErrorKind why) {
        if (trail == null) return;
        if (status == EntryRecord.Status.OK) {
            status = s;
            error = reason;
            kind = why;
        }
        if (hasher != null) hasher.abandon();
        if (settled.compareAndSet(false, true)) release();
    }

    /** The walker is done with it (every named stream is announced). */
    void walked() {
        if (trail != null) release();
    }

    /** A named stream small enough to stay an xattr, hashed by the walker (empty hashes: not hashed). */
    void stream(byte[] name, long size, Map<String, String> hashes) {
        if (trail == null) return;
        putStream(name, new EntryRecord.Stream(name, size, hashes, null));
    }

    /** A named stream written as a file of its own ({@code asFile}): its own pending entry, reporting here. */
    PendingEntry streamFile(byte[] name, Node asFile, Layer streamContent, List<FileHasher.Range> data) {
        if (trail == null) return NONE;
        open.incrementAndGet();
        stream(name, asFile.size(), Map.of());
        return new PendingEntry(trail, scope, guestPath, asFile, inode, null, streamContent, data, false, this, name).start();
    }

    @Override
    public void fellBack(FileHasher h) {
        trail.fellBack(this);
    }

    @Override
    public void finished(FileHasher h) {
        release();
    }

    private void release() {
        if (open.decrementAndGet() == 0) complete();
    }

    private void complete() {
        Map<String, String> hashes = hasher == null ? null : hasher.hashes(); // made from the raw digests on each call
        if (hashes == null) hashes = Map.of();
        if (parent != null) {
            parent.streamWritten(streamName, node.size(), hashes, hostPath, status == EntryRecord.Status.OK ? null : error, kind);
            return;
        }
        byte[] linkTo = null;
        if (laterName) {
            EvidenceTrail.FirstName first = trail.firstName(scope, node.id());
            if (first != null) {
                hashes = first.hashes();
                linkTo = first.path();
            }
        } else if (node != null && node.nlink() > 1 && status == EntryRecord.Status.OK) {
            trail.firstName(scope, node.id(), hostPath, hashes);
        }
        List<EntryRecord.Stream> s;
        synchronized (this) {
            s = streams == null ? List.of() : new ArrayList<>(streams.values());
        }
        trail.write(new EntryRecord(scope.volume(), hostPath, guestPath, node, inode, node == null ? null : scope.fs().timePrecision(),
                allocated, s, extraction, hashes, linkTo, status, error, kind, scope.deleted(node), scope.recovery(node)));
    }

    /** A stream file of this entry is complete: its hashes and path; a failed one fails the entry. */
    private void streamWritten(byte[] name, long size, Map<String, String> hashes, byte[] path, String failure,
                               ErrorKind failureKind) {
        putStream(name, new EntryRecord.Stream(name, size, hashes, path));
        if (failure != null && status == EntryRecord.Status.OK) {
            status = EntryRecord.Status.ERROR;
            error = "alternate data stream \"" + new String(name, java.nio.charset.StandardCharsets.UTF_8) + "\": " + failure;
            kind = failureKind;
        }
        release();
    }

    private synchronized void putStream(byte[] name, EntryRecord.Stream stream) {
        if (streams == null) streams = new LinkedHashMap<>();
        streams.put(new String(name, java.nio.charset.StandardCharsets.ISO_8859_1), stream);
    }
}
