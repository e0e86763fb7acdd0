package io.vdetach.apply;

import io.vdetach.error.ErrorKind;
import io.vdetach.error.VdetachException;
import io.vdetach.evidence.EntryRecord;
import io.vdetach.evidence.FileHasher;
import io.vdetach.extent.Layer;
import io.vdetach.guestfs.Node;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.sys.Fd;
import io.vdetach.sys.Linux;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copy mode's files (hosts that cannot share): the walker creates each file and decodes what
 * must be decoded (only it may read the guest layers); the runs that lie as-is in the image go
 * to the {@link OrderedCopy} engine, which finishes the file (size, metadata) once the batch
 * holding its last piece is written. A file stays open from its creation until then.
 */
final class CopiedFiles implements VolumeExtraction.DeferredFiles, AutoCloseable {
    private final VolumeExtraction.Context c;
    private final ContentWriter decoder;
    private final OrderedCopy engine;

    CopiedFiles(VolumeExtraction.Context c, SourceFiles sources, ContentWriter decoder) {
        this.c = c;
        this.decoder = decoder;
        this.engine = new OrderedCopy(sources, 0, c.trail().hashing());
    }

    /** A created file, open from its creation until the engine releases it as last, and what finishing it needs. */
    private record Created(VolumeExtraction.Context c, Tally.Volume vf, DirHandle dir, EntryPath display, Node node,
                           List<PlannedRun> runs, long size, TargetFile open, AtomicBoolean closed, PendingEntry evidence)
            implements OrderedCopy.Target {
        /** Size (a final hole), metadata, close; the file counts in the report only once it is whole. */
        @Override
        public void release(TargetFile f, boolean last, boolean ok) {
            if (!last || !closed.compareAndSet(false, true)) return;
            try {
                if (!ok || open.failed) return;
                if (ContentWriter.writtenEnd(runs) != size) Linux.ftruncate(open.fd, size);
                c.report().plannedFile(vf, size, runs, false);
                c.metadata().apply(open.fd, node).forEach(p -> c.report().error(vf, display.toString(), p, ErrorKind.HOST));
                evidence.done(copied(runs));
                // The walk is long over while the copy goes on: the progress line follows the writes.
                c.report().progress(c.options().progress());
            } catch (RuntimeException e) {
                if (Abort.isFatal(e)) throw e;
                c.report().error(vf, display.toString(), e);
                evidence.fail(e);
            } finally {
                open.close();
                dir.release();
            }
        }

        @Override
        public void failed(RuntimeException e) {
            c.report().error(vf, display.toString(), e);
            evidence.fail(e);
        }

        @Override
        public void consumed(ByteBuffer bytes, long fileOffset) {
            FileHasher h = evidence.hasher();
            if (h != null) h.offer(fileOffset, bytes);
        }
    }

    /** A copied file's bytes: what lies in the image is copied (even where another host could share it), the rest decoded. */
    static EntryRecord.Extraction copied(List<PlannedRun> runs) {
        long copied = 0, decoded = 0;
        for (PlannedRun r : runs) {
            switch (r.kind()) {
                case SHARE, COPY -> copied += r.length();
                case MATERIALISE -> decoded += r.length();
                case HOLE -> { }
            }
        }
        return new EntryRecord.Extraction(0, copied, decoded);
    }

    /** Walker thread: creates the file, decodes what must be decoded, queues its copies. */
    @Override
    public void file(Tally.Volume vf, DirHandle dir, byte[] name, EntryPath display, Node node, List<PlannedRun> runs,
                     Layer data, long size, PendingEntry evidence) throws IOException {
        HostTreeBuilder.Created<Fd> made = c.builder().createWith(dir.fd, name, display, false, VolumeExtraction.newFileIn(dir.fd));
        if (made == null) {
            evidence.skip(VolumeExtraction.SKIPPED);
            return;
        }
        evidence.created(dir, made.name());
        Created t = new Created(c, vf, dir.retain(), display, node, runs, size, new TargetFile(made.made()), new AtomicBoolean(),
                evidence);
        try {
            engine.add(t); // from here on the engine closes it, whatever happens
        } catch (IOException | RuntimeException e) {
            t.release(null, true, false);
            throw e;
        }
        if (node.nlink() > 1) c.finisher().firstName(vf, node.id(), dir, made.name());
        for (String note : node.notes()) c.report().warn(display + ": " + note);
        try {
            List<PlannedRun> decode = runs.stream().filter(r -> r.kind() == RunClass.MATERIALISE).toList();
            if (!decode.isEmpty()) decoder.write(t.open().fd, decode, data, size, false, evidence.hasher());
        } catch (VdetachException | IOException e) {
            if (Abort.isFatal(e)) throw e;
            t.open().failed = true;
            c.report().error(vf, display.toString(), e);
            evidence.fail(e);
        }
        for (PlannedRun r : runs) {
            if (r.kind() == RunClass.COPY || r.kind() == RunClass.SHARE) {
                engine.piece(t, r.fileOffset(), r.length(), r.source(), r.sourceOffset());
            }
        }
        engine.end(t);
    }

    /** Walker thread, after the walk: waits until every file is written and finished. */
    void drain() throws IOException {
        engine.drain();
    }

    @Override
    public void close() {
        engine.close();
    }
}
