package io.vdetach.cli;

import io.vdetach.api.ShadowCopies;
import io.vdetach.api.ShadowCopy;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** ls: the VSS shadow copies of a volume, as a table or JSON. */
final class ShadowCopiesView {
    private ShadowCopiesView() {}

    /** The creation time to 100 ns, as Windows keeps it. */
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS").withZone(ZoneOffset.UTC);

    /** The table; returns the number of errors (stores whose header could not be read), each also on stderr. */
    static int print(String volume, ShadowCopies copies, PrintStream out) {
        out.println();
        out.printf("shadow copies of %s (VSS): %d%n", volume, copies.stores().size());
        for (String w : copies.warnings()) out.println("warning " + volume + ": " + w);
        if (copies.stores().isEmpty()) return 0;
        int width = Math.max(5, (volume + "@vss" + copies.stores().size()).length());
        String row = "%-" + width + "s  %-36s  %-27s  %14s  %s%n";
        out.printf(row, "store", "identifier", "created (UTC)", "volume size", "attributes");
        int errors = 0;
        for (ShadowCopy s : copies.stores()) {
            out.printf(row, s.volume(), s.id(), CREATED.format(s.created()),
                    s.volumeSize(), hasInformation(s) ? String.format("0x%08x", s.attributeFlags()) : "?");
            if (s.problem() != null) {
                errors++;
                Diagnostics.error(s.volume(), s.problem());
            }
        }
        return errors;
    }

    static List<Object> json(ShadowCopies copies) {
        List<Object> list = new ArrayList<>();
        for (ShadowCopy s : copies.stores()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("store", s.index());
            m.put("volume", s.volume());
            m.put("identifier", s.id());
            m.put("created", CREATED.format(s.created()));
            m.put("created_filetime", s.creationFiletime());
            m.put("volume_size", s.volumeSize());
            if (hasInformation(s)) {
                m.put("attribute_flags", String.format("0x%08x", s.attributeFlags()));
                m.put("shadow_copy_id", s.shadowCopyId());
                m.put("shadow_copy_set_id", s.shadowCopySetId());
                m.put("operating_machine", s.operatingMachine());
                m.put("service_machine", s.serviceMachine());
            }
            if (s.problem() != null) m.put("error", s.problem());
            list.add(m);
        }
        return list;
    }

    /** Whether the store's information (its attribute flags, ids, machines) could be read. */
    private static boolean hasInformation(ShadowCopy s) {
        return s.shadowCopyId() != null;
    }
}
