package io.vdetach.image.ova;

import io.vdetach.error.CorruptImageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What vdetach needs from an OVF descriptor (DMTF DSP0243, "References" and "DiskSection"): the
 * files of the package ({@code <File ovf:id ovf:href>}) and the virtual disks
 * ({@code <Disk ovf:diskId ovf:fileRef ovf:capacity>}), in document order. Read as tags and
 * attributes only: no DTD, no entity, nothing fetched.
 */
record OvfDescriptor(Map<String, String> files, List<Disk> disks) {
    /** One virtual disk: its id, the href of the file holding it, its capacity as written (with its unit). */
    record Disk(String id, String href, String capacity) {}

    /** Descriptors above 4 MiB are refused: real ones are a few KiB. */
    static final int MAX_BYTES = 4 << 20;

    private static final Pattern TAG = Pattern.compile("<(?:[A-Za-z_][\\w.-]*:)?(File|Disk)\\s([^<>]*)>");
    private static final Pattern ATTR = Pattern.compile("(?:[A-Za-z_][\\w.-]*:)?([A-Za-z_][\\w.-]*)\\s*=\\s*\"([^\"]*)\"");

    static OvfDescriptor parse(String xml, String name) {
        Map<String, String> files = new LinkedHashMap<>();
        List<Disk> disks = new ArrayList<>();
        Matcher m = TAG.matcher(xml);
        while (m.find()) {
            Map<String, String> a = new LinkedHashMap<>();
            Matcher am = ATTR.matcher(m.group(2));
            while (am.find()) a.put(am.group(1), unescape(am.group(2)));
            if (m.group(1).equals("File") && a.containsKey("id") && a.containsKey("href")) {
                files.put(a.get("id"), a.get("href"));
            } else if (m.group(1).equals("Disk") && a.containsKey("diskId")) {
                String unit = a.getOrDefault("capacityAllocationUnits", "byte");
                disks.add(new Disk(a.get("diskId"), null, a.getOrDefault("capacity", "?") + " " + unit + (a.containsKey("fileRef")
                        ? "\u0000" + a.get("fileRef") : "")));
            }
        }
        List<Disk> resolved = new ArrayList<>();
        for (Disk d : disks) {
            String[] cap = d.capacity().split("\u0000", 2);
            String href = cap.length == 2 ? files.get(cap[1]) : null;
            if (cap.length == 2 && href == null) {
                throw new CorruptImageException("ova", "OVF Disk " + d.id(), -1, name + ": disk " + d.id()
                        + " refers to file \"" + cap[1] + "\", which References does not list");
            }
            resolved.add(new Disk(d.id(), href, cap[0]));
        }
        return new OvfDescriptor(files, resolved);
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
