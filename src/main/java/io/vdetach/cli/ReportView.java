package io.vdetach.cli;

import io.vdetach.apply.Report;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report as --json prints it, and as a short human summary. */
final class ReportView {
    private ReportView() {}

    static Map<String, Object> toMap(Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("files", r.files);
        m.put("directories", r.directories);
        m.put("symlinks", r.symlinks);
        m.put("hardlinks", r.hardlinks);
        m.put("specials", r.specials);
        m.put("bytes_total", r.bytesTotal);
        m.put("bytes_shared", r.bytesShared);
        m.put("bytes_copied", r.bytesCopied);
        m.put("bytes_materialised", r.bytesMaterialised);
        m.put("bytes_sparse", r.bytesSparse);
        m.put("extra_space_used", r.extraSpaceUsed);
        if (r.windows >= 0) {
            m.put("peak_extra_space", r.peakExtraSpace);
            m.put("windows", r.windows);
        }
        if (!r.deleted.isEmpty()) {
            m.put("space_reclaimed", r.spaceReclaimed);
            m.put("deleted", r.deleted);
        }
        m.put("seconds", r.seconds);
        List<Object> vols = new ArrayList<>();
        for (Report.VolumeFigures v : r.volumes) {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("name", v.name);
            vm.put("filesystem", v.filesystem);
            vm.put("status", v.status);
            vm.put("files", v.files);
            vm.put("directories", v.directories);
            vm.put("bytes_total", v.bytesTotal);
            vm.put("bytes_shared", v.bytesShared);
            vm.put("bytes_copied", v.bytesCopied);
            vm.put("bytes_sparse", v.bytesSparse);
            vm.put("errors", v.errors);
            vols.add(vm);
        }
        m.put("volumes", vols);
        m.put("not_shared_because", r.reasons);
        List<Object> conflicts = new ArrayList<>();
        for (Report.Conflict c : r.conflicts) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("path", c.path());
            cm.put("action", c.action());
            if (c.newName() != null) cm.put("new_name", c.newName());
            conflicts.add(cm);
        }
        m.put("conflicts", conflicts);
        List<Object> errors = new ArrayList<>();
        for (Report.EntryError e : r.errors) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("path", e.path());
            em.put("reason", e.reason());
            errors.add(em);
        }
        m.put("errors", errors);
        m.put("warnings", r.warnings);
        return m;
    }

    static void summary(Report r, PrintStream out, String verb) {
        out.printf("%s %d files, %d directories, %d symlinks, %d hard links, %d special files in %.2f s%n",
                verb, r.files, r.directories, r.symlinks, r.hardlinks, r.specials, r.seconds);
        long data = r.bytesShared + r.bytesCopied;
        out.printf("data %s: shared %s (%s), copied %s (%s, of which decoded %s), sparse %s%n",
                Units.bytes(r.bytesTotal), Units.bytes(r.bytesShared), Units.percent(r.bytesShared, data),
                Units.bytes(r.bytesCopied), Units.percent(r.bytesCopied, data), Units.bytes(r.bytesMaterialised),
                Units.bytes(r.bytesSparse));
        if (!verb.startsWith("would")) out.printf("extra space used on DEST's filesystem: %s%n", Units.bytes(r.extraSpaceUsed));
        if (r.windows >= 0) out.printf("streaming: %d windows, peak extra space %s%n", r.windows, Units.bytes(r.peakExtraSpace));
        if (!r.deleted.isEmpty()) out.printf("deleted %s; space reclaimed: %s%n", String.join(", ", r.deleted), Units.bytes(r.spaceReclaimed));
        r.reasons.forEach((why, bytes) -> out.printf("  %s: %s%n", why, Units.bytes(bytes)));
        for (String w : r.warnings) out.println("warning: " + w);
        if (!r.conflicts.isEmpty()) out.printf("%d name conflicts (see --json for the list)%n", r.conflicts.size());
        int shown = 0;
        for (Report.EntryError e : r.errors) {
            if (shown++ == 20) {
                out.printf("… and %d more errors (see --json)%n", r.errors.size() - 20);
                break;
            }
            out.println("error: " + e.path() + ": " + e.reason());
        }
    }
}
