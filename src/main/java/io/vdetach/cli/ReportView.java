package io.vdetach.cli;

import io.vdetach.apply.Report;
import io.vdetach.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report as --json prints it, and as a short human summary, on stdout; its errors and warnings also on stderr. */
final class ReportView {
    private ReportView() {}

    static void print(Report r, boolean json, String verb) {
        print(r, json, verb, System.out);
    }

    /** @param out stdout, or stderr when stdout carries data (a manifest, a bodyfile or a tar to "-") */
    static void print(Report r, boolean json, String verb, PrintStream out) {
        Diagnostics.report(r);
        if (json) out.println(Json.render(toMap(r)));
        else summary(r, out, verb);
        out.flush();
    }

    static Map<String, Object> toMap(Report r) {
        Map<String, Object> m = counts(new LinkedHashMap<>(), r.counts());
        if (r.recovered() != null) m.put("recovered", counts(new LinkedHashMap<>(), r.recovered()));
        m.put("extra_space_used", r.extraSpaceUsed());
        if (r.streaming() != null) {
            m.put("peak_extra_space", r.streaming().peakExtraSpace());
            m.put("windows", r.streaming().windows());
        }
        if (r.hostSpace() != null) {
            m.put("host_bytes_written", r.hostSpace().bytesWritten());
            m.put("peak_host_bytes", r.hostSpace().peakBytes());
        }
        if (r.deletion() != null) {
            m.put("space_reclaimed", r.deletion().spaceReclaimed());
            m.put("deleted", r.deletion().deleted());
        }
        m.put("seconds", r.seconds());
        List<Object> vols = new ArrayList<>();
        for (Report.Volume v : r.volumes()) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("name", v.name());
            vm.put("filesystem", v.filesystem());
            vm.put("status", v.status());
            vols.add(counts(vm, v.counts()));
            vm.put("errors", v.errors());
        }
        m.put("volumes", vols);
        m.put("not_shared_because", r.notSharedBecause());
        List<Object> conflicts = new ArrayList<>();
        for (Report.Conflict cf : r.conflicts()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("path", cf.path());
            cm.put("action", cf.action());
            if (cf.newName() != null) cm.put("new_name", cf.newName());
            conflicts.add(cm);
        }
        m.put("conflicts", conflicts);
        List<Object> errors = new ArrayList<>();
        for (Report.EntryError e : r.errors()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("path", e.path());
            em.put("kind", e.kind().label());
            em.put("reason", e.reason());
            errors.add(em);
        }
        m.put("errors", errors);
        m.put("warnings", r.warnings());
        return m;
    }

    private static Map<String, Object> counts(Map<String, Object> m, Report.Counts c) {
        m.put("files", c.files());
        m.put("directories", c.directories());
        m.put("symlinks", c.symlinks());
        m.put("hardlinks", c.hardlinks());
        m.put("specials", c.specials());
        m.put("bytes_total", c.bytesTotal());
        m.put("bytes_shared", c.bytesShared());
        m.put("bytes_copied", c.bytesCopied());
        m.put("bytes_materialised", c.bytesMaterialised());
        m.put("bytes_sparse", c.bytesSparse());
        return m;
    }

    static void summary(Report r, PrintStream out, String verb) {
        Report.Counts c = r.counts();
        out.printf("%s %d files, %d directories, %d symlinks, %d hard links, %d special files in %.2f s%n",
                verb, c.files(), c.directories(), c.symlinks(), c.hardlinks(), c.specials(), r.seconds());
        long data = c.bytesShared() + c.bytesCopied();
        out.printf("data %s: shared %s (%s), copied %s (%s, of which decoded %s), sparse %s%n",
                Units.bytes(c.bytesTotal()), Units.bytes(c.bytesShared()), Units.percent(c.bytesShared(), data),
                Units.bytes(c.bytesCopied()), Units.percent(c.bytesCopied(), data), Units.bytes(c.bytesMaterialised()),
                Units.bytes(c.bytesSparse()));
        if (r.recovered() != null) {
            Report.Counts d = r.recovered();
            out.printf("recovered (--deleted, under $Deleted/ and $Orphan/): %d files, %d directories, %s%n", d.files(),
                    d.directories(), Units.bytes(d.bytesTotal()));
        }
        if (!verb.startsWith("would")) out.printf("extra space used on DEST's filesystem: %s%n", Units.bytes(r.extraSpaceUsed()));
        if (r.hostSpace() != null) {
            out.printf("DEST's filesystem: %s of blocks written, its free space dropping by up to %s during the run%n",
                    Units.bytes(r.hostSpace().bytesWritten()), Units.bytes(r.hostSpace().peakBytes()));
        }
        if (r.streaming() != null) {
            out.printf("streaming: %d windows, peak extra space %s%n", r.streaming().windows(), Units.bytes(r.streaming().peakExtraSpace()));
        }
        if (r.deletion() != null) {
            out.printf("deleted %s; space reclaimed: %s%n", String.join(", ", r.deletion().deleted()),
                    Units.bytes(r.deletion().spaceReclaimed()));
        }
        r.notSharedBecause().forEach((why, bytes) -> out.printf("  %s: %s%n", why, Units.bytes(bytes)));
        for (String w : r.warnings()) out.println("warning: " + w);
        if (!r.conflicts().isEmpty()) out.printf("%d name conflicts (see --json for the list)%n", r.conflicts().size());
        int shown = 0;
        for (Report.EntryError e : r.errors()) {
            if (shown++ == 20) {
                out.printf("… and %d more errors (see --json)%n", r.errors().size() - 20);
                break;
            }
            out.println("error: " + e.path() + ": " + e.reason() + " (" + e.kind().label() + ")");
        }
    }
}
