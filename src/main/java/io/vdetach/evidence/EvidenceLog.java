package io.vdetach.evidence;

import io.vdetach.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The evidence outputs of one run: the manifest (a header line, one line per entry as it
 * completes, a summary line) and the bodyfile (one line per entry). Safe to call from any thread;
 * each output only ever holds whole lines. {@link #close()} writes what is gathered and forces
 * files to disk; a manifest without its summary line is from a run that did not end.
 */
public final class EvidenceLog implements AutoCloseable {
    private final LineWriter manifest;
    private final LineWriter bodyfile;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private boolean closed;

    private EvidenceLog(LineWriter manifest, LineWriter bodyfile) {
        this.manifest = manifest;
        this.bodyfile = bodyfile;
    }

    /** Creates the outputs {@code o} names (files that exist are refused before anything is written). */
    public static EvidenceLog open(EvidenceOptions o) throws IOException {
        LineWriter m = o.manifest() == null ? null : o.manifest().lines();
        try {
            return new EvidenceLog(m, o.bodyfile() == null ? null : o.bodyfile().lines());
        } catch (IOException | RuntimeException e) {
            if (m != null) m.close();
            throw e;
        }
    }

    /** The first line, written out at once: even a run killed before its first batch of lines leaves a manifest that says what it is. */
    public void header(Map<String, Object> header) throws IOException {
        if (manifest == null) return;
        manifest.line(Json.line(header));
        manifest.flush();
    }

    /** Writes one entry's lines; an I/O failure of an output is unchecked here (it stops the run). */
    public void entry(EntryRecord r) {
        entries.incrementAndGet();
        if (r.status() == EntryRecord.Status.ERROR) errors.incrementAndGet();
        try {
            if (manifest != null) manifest.line(ManifestLine.render(r));
            if (bodyfile != null) {
                String line = BodyfileLine.render(r);
                if (line != null) bodyfile.line(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the evidence outputs: " + e.getMessage(), e);
        }
    }

    public long entries() { return entries.get(); }

    /** The manifest's last line: the end, the run's totals ({@code totals} first), the lines written. */
    public void summary(Instant end, Map<String, Object> totals) throws IOException {
        if (manifest == null) return;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "summary");
        m.put("end", new Timestamp(end, 9).rfc3339());
        m.put("end_ns", new Timestamp(end, 9).epochNanos());
        m.putAll(totals);
        m.put("entries", entries.get());
        m.put("entry_errors", errors.get());
        manifest.line(Json.line(m));
    }

    /** Writes what is gathered and forces files to disk; a second call does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            if (manifest != null) manifest.close();
        } finally {
            if (bodyfile != null) bodyfile.close();
        }
    }
}
