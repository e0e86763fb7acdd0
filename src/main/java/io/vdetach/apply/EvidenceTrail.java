package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.evidence.Digests;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.evidence.EvidenceLog;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.evidence.FileHasher;
import io.vdetach.evidence.HoldBudget;
import io.vdetach.evidence.ManifestHeader;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.NamedStream;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The evidence outputs of one run (docs/evidence.md): opens them and writes the header, makes a
 * {@link PendingEntry} per entry the walk reaches, writes each entry's lines when it completes,
 * re-hashes in file order the files whose pieces came too far out of order, and ends with the
 * summary line. {@link #OFF} when the run writes no evidence.
 */
final class EvidenceTrail implements AutoCloseable {
    static final EvidenceTrail OFF = new EvidenceTrail(null, EvidenceOptions.NONE);

    /**
     * A volume being walked: its name and filesystem; {@code recovered} when the walk is over its
     * recovered entries (--deleted: {@code fs} is that tree), else null.
     */
    record Scope(String volume, GuestFilesystem fs, RecoveredTree recovered) {
        Scope(String volume, GuestFilesystem fs) {
            this(volume, fs, null);
        }

        /** Whether {@code node} is below $Deleted/ or $Orphan/. */
        boolean deleted(Node node) {
            return recovered != null && node != null && recovered.isRecoveredPart(node);
        }

        /** The manifest's "recovery" of {@code node}: null for live entries and directories of rebuilt paths. */
        String recovery(Node node) {
            if (recovered == null || node == null) return null;
            Recovered r = recovered.recovered(node);
            return r == null ? null : r.recovery().value();
        }
    }

    /** The first name of a hard-linked file as extracted, and its hashes (later names repeat them). */
    record FirstName(byte[] path, Map<String, String> hashes) {}

    private record LinkKey(Scope scope, long id) {}

    private final EvidenceLog log;
    private final EvidenceOptions options;
    private final HoldBudget budget = new HoldBudget(HoldBudget.DEFAULT_BYTES);
    private final Queue<PendingEntry> fallbacks = new ConcurrentLinkedQueue<>();
    private final Map<LinkKey, FirstName> firstNames = new ConcurrentHashMap<>();

    private EvidenceTrail(EvidenceLog log, EvidenceOptions options) {
        this.log = log;
        this.options = options;
    }

    /** Opens the outputs {@code o} asks for and writes the manifest's header; {@link #OFF} when it asks for none. */
    static EvidenceTrail open(EvidenceOptions o, String command, OpenedImage img) throws IOException {
        if (o == null || !o.writes()) return OFF;
        Instant start = Instant.now();
        EvidenceLog log = EvidenceLog.open(o);
        try {
            log.header(ManifestHeader.of(o, command, img, start));
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        return new EvidenceTrail(log, o);
    }

    boolean on() { return log != null; }

    /** Entry lines written so far. */
    long entriesWritten() { return on() ? log.entries() : 0; }

    boolean hashing() { return log != null && options.hashing(); }

    List<Digests.Algorithm> algorithms() { return options.hashes(); }

    HoldBudget budget() { return budget; }

    /** A directory, symlink or special file the walk reached. */
    PendingEntry entry(Scope s, List<byte[]> guestPath, Node node) throws IOException {
        if (!on()) return PendingEntry.NONE;
        return new PendingEntry(this, s, guestPath, node, s.fs().inodeLabel(node), null, null, null, false, null, null);
    }

    /** A regular file with its planned runs (their non-hole bytes are what its hasher expects). */
    PendingEntry file(Scope s, List<byte[]> guestPath, Node node, Layer content, List<FileHasher.Range> data) throws IOException {
        if (!on()) return PendingEntry.NONE;
        return new PendingEntry(this, s, guestPath, node, s.fs().inodeLabel(node), s.fs().allocated(node, content), content, data,
                false, null, null).start();
    }

    /** A second or later name of a hard-linked node: its line repeats the first name's hashes. */
    PendingEntry laterName(Scope s, List<byte[]> guestPath, Node node) throws IOException {
        if (!on()) return PendingEntry.NONE;
        Long allocated = node.type() == EntryType.FILE ? s.fs().allocated(node, s.fs().content(node)) : null;
        return new PendingEntry(this, s, guestPath, node, s.fs().inodeLabel(node), allocated, null, null, true, null, null);
    }

    /** An entry that failed before it had a pending entry ({@code node} null: the guest could not describe it). */
    void failed(Scope s, List<byte[]> guestPath, Node node, String reason, ErrorKind kind) {
        if (!on()) return;
        String inode = null;
        try {
            if (node != null) inode = s.fs().inodeLabel(node);
        } catch (IOException | RuntimeException e) {
            // the line says what failed; the label is a detail
        }
        write(new EntryRecord(s.volume(), null, guestPath, node, inode, node == null ? null : s.fs().timePrecision(), null,
                List.of(), null, Map.of(), null, EntryRecord.Status.ERROR, reason, kind, s.deleted(node), s.recovery(node)));
    }

    /**
     * The named streams of {@code node} that are not in {@code large} (those a file's extraction
     * writes as files of their own): listed on its line, read and hashed here when hashing (a file's
     * are at most an xattr's 64 KiB).
     */
    void smallStreams(PendingEntry e, GuestFilesystem fs, Node node, List<NamedStream> large) throws IOException {
        if (!on()) return;
        List<String> bigNames = new ArrayList<>();
        for (NamedStream l : large) bigNames.add(new String(l.name(), java.nio.charset.StandardCharsets.ISO_8859_1));
        for (NamedStream st : fs.namedStreams(node)) {
            if (bigNames.contains(new String(st.name(), java.nio.charset.StandardCharsets.ISO_8859_1))) continue;
            e.stream(st.name(), st.content().size(), hashing() ? hashAll(st.content()) : Map.of());
        }
    }

    /** The hashes of a whole layer read front to back (a small stream, a file listed by ls --hash). */
    Map<String, String> hashAll(Layer l) throws IOException {
        Digests d = new Digests(options.hashes());
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, Math.max(1, l.size())));
        for (long pos = 0; pos < l.size(); ) {
            buf.clear().limit((int) Math.min(buf.capacity(), l.size() - pos));
            l.readFully(pos, buf);
            buf.flip();
            pos += buf.remaining();
            d.update(buf);
        }
        return d.finish();
    }

    void fellBack(PendingEntry e) {
        fallbacks.add(e);
    }

    /**
     * The walker's thread, once every write is over: hashes the files that fell back, each read
     * in file order through its content layer.
     */
    void rehashFallbacks() throws IOException {
        for (PendingEntry e; (e = fallbacks.poll()) != null; ) {
            Layer content = e.content();
            if (content != null) e.hasher().rehash(content::readFully); // else already hashed from DEST
        }
        if (System.getenv("VDETACH_DEBUG") != null && on()) {
            System.err.printf("evidence: %d files hashed again after the run (pieces too far out of order), %d bytes held at most%n",
                    budget.fallbacks(), budget.peak());
        }
    }

    void firstName(Scope s, long id, byte[] path, Map<String, String> hashes) {
        firstNames.put(new LinkKey(s, id), new FirstName(path, hashes));
    }

    FirstName firstName(Scope s, long id) {
        return firstNames.get(new LinkKey(s, id));
    }

    /** Writes an entry's lines; failing to write evidence stops the run. */
    void write(EntryRecord r) {
        try {
            log.entry(r);
        } catch (UncheckedIOException e) {
            throw new Abort(e.getMessage());
        }
    }

    /** The summary line with the report's totals; then the outputs are flushed and forced to disk. */
    void finish(Report r) throws IOException {
        if (!on()) return;
        Map<String, Object> totals = new LinkedHashMap<>();
        Report.Counts c = r.counts();
        totals.put("files", c.files());
        totals.put("directories", c.directories());
        totals.put("symlinks", c.symlinks());
        totals.put("hardlinks", c.hardlinks());
        totals.put("specials", c.specials());
        totals.put("bytes_total", c.bytesTotal());
        totals.put("bytes_shared", c.bytesShared());
        totals.put("bytes_copied", c.bytesCopied());
        totals.put("bytes_materialised", c.bytesMaterialised());
        totals.put("bytes_sparse", c.bytesSparse());
        totals.put("errors", r.errors().size());
        totals.put("exit_code", r.exitCode());
        totals.put("seconds", r.seconds());
        finish(totals);
    }

    /** The summary line with {@code totals}; then the outputs are flushed and forced to disk. */
    void finish(Map<String, Object> totals) throws IOException {
        if (!on()) return;
        log.summary(Instant.now(), totals);
        close();
    }

    @Override
    public void close() throws IOException {
        if (on()) log.close();
    }

    /** The data ranges (non-hole runs, neighbours merged) of a planned file: what its hasher is fed. */
    static List<FileHasher.Range> dataOf(List<PlannedRun> runs) {
        List<FileHasher.Range> out = new ArrayList<>();
        for (PlannedRun r : runs) {
            if (r.kind() == RunClass.HOLE) continue;
            add(out, r.fileOffset(), r.length());
        }
        return out;
    }

    /** The data ranges of a layer's map (its holes are not data). */
    static List<FileHasher.Range> dataOfMap(List<Run> map) {
        List<FileHasher.Range> out = new ArrayList<>();
        for (Run r : map) if (!(r instanceof Run.Hole)) add(out, r.start(), r.length());
        return out;
    }

    private static void add(List<FileHasher.Range> out, long offset, long length) {
        if (!out.isEmpty()) {
            FileHasher.Range last = out.getLast();
            if (last.offset() + last.length() == offset) {
                out.set(out.size() - 1, new FileHasher.Range(last.offset(), last.length() + length));
                return;
            }
        }
        out.add(new FileHasher.Range(offset, length));
    }
}
