package io.vdetach.cli;

import io.vdetach.error.VdetachException;
import io.vdetach.volume.vss.ShadowCopies;
import io.vdetach.volume.vss.ShadowStore;
import io.vdetach.volume.vss.StoreInformation;
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
        for (ShadowStore s : copies.stores()) {
            StoreInformation i = s.information();
            out.printf(row, volume + "@vss" + s.index(), s.id(), CREATED.format(s.created()),
                    s.volumeSize(), i == null ? "?" : String.format("0x%08x", i.attributeFlags()));
            VdetachException p = copies.headerProblem(s.index());
            if (p != null) {
                errors++;
                Diagnostics.error(volume + "@vss" + s.index(), p.getMessage());
            }
        }
        return errors;
    }

    static List<Object> json(String volume, ShadowCopies copies) {
        List<Object> list = new ArrayList<>();
        for (ShadowStore s : copies.stores()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("store", s.index());
            m.put("volume", volume + "@vss" + s.index());
            m.put("identifier", s.id().toString());
            m.put("created", CREATED.format(s.created()));
            m.put("created_filetime", s.creationTime());
            m.put("volume_size", s.volumeSize());
            StoreInformation i = s.information();
            if (i != null) {
                m.put("attribute_flags", String.format("0x%08x", i.attributeFlags()));
                m.put("shadow_copy_id", i.shadowCopyId().toString());
                m.put("shadow_copy_set_id", i.shadowCopySetId().toString());
                m.put("operating_machine", i.operatingMachine());
                m.put("service_machine", i.serviceMachine());
            }
            VdetachException p = copies.headerProblem(s.index());
            if (p != null) m.put("error", p.getMessage());
            list.add(m);
        }
        return list;
    }
}
