package io.vdetach.volume.lvm;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Window;
import io.vdetach.volume.Volume;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LVM2: finds physical volumes among the volumes, reads their volume groups' text metadata,
 * and replaces each group's PVs by its logical volumes. Linear and striped LVs are mapped
 * onto the PVs; other segment types (thin, snapshot, raid, mirror, cache) and LVs whose PVs
 * are missing are listed with a zero-size layer and a type that says why they are not read.
 */
public final class LvmScanner {
    /** Metadata text read per PV: LVM's default area is 1 MiB; 16 MiB bounds a hostile size. */
    private static final long MAX_TEXT = 16L << 20;
    /** dm-stripe and lvcreate allow at most 128 stripes. */
    private static final int MAX_STRIPES = 128;

    private LvmScanner() {}

    private record Pv(Volume volume, PvLabel label) {}

    /**
     * Replaces each LVM physical volume in {@code volumes} by the logical volumes of its
     * volume group (a group may span several of them); other volumes pass through in order.
     */
    public static List<Volume> expand(List<Volume> volumes) throws IOException {
        Map<Volume, Pv> pvs = new LinkedHashMap<>();
        Map<String, Pv> byUuid = new HashMap<>();
        Map<String, Text> vgs = new LinkedHashMap<>(); // vg name -> its newest metadata
        Map<String, Volume> vgFirstPv = new HashMap<>();
        Map<Volume, String> vgOfPv = new HashMap<>();
        for (Volume v : volumes) {
            PvLabel label = findLabel(v.layer(), v.start());
            if (label == null) continue;
            Pv pv = new Pv(v, label);
            pvs.put(v, pv);
            byUuid.put(label.uuid(), pv);
            CorruptImageException firstError = null;
            boolean found = false;
            for (long[] mda : label.metadataAreas()) {
                Text text;
                try {
                    text = readMetadata(v.layer(), v.start(), mda[0], mda[1]);
                } catch (CorruptImageException e) { // a PV may carry a second copy (pvcreate --metadatacopies 2)
                    if (firstError == null) firstError = e;
                    continue;
                }
                if (text == null) continue;
                found = true;
                for (var e : text.map().entrySet()) {
                    if (!(e.getValue() instanceof Map<?, ?> vg) || !vg.containsKey("physical_volumes")) continue;
                    @SuppressWarnings("unchecked") Map<String, Object> vgMap = (Map<String, Object>) vg;
                    Text old = vgs.get(e.getKey());
                    if (old == null || num(vgMap, "seqno", 0) > num(old.map(), "seqno", 0)) vgs.put(e.getKey(), new Text(vgMap, text.at()));
                }
            }
            if (!found && firstError != null) throw firstError;
        }
        if (pvs.isEmpty()) return volumes;
        // which VG each PV belongs to, by uuid in each VG's physical_volumes
        for (var vg : vgs.entrySet()) {
            for (Object o : section(vg.getValue().map(), "physical_volumes").values()) {
                if (!(o instanceof Map<?, ?> pvm)) continue;
                Pv pv = byUuid.get(undash(str(pvm.get("id"))));
                if (pv == null) continue;
                vgOfPv.putIfAbsent(pv.volume(), vg.getKey());
                vgFirstPv.putIfAbsent(vg.getKey(), pv.volume());
            }
        }
        List<Volume> out = new ArrayList<>();
        for (Volume v : volumes) {
            if (!pvs.containsKey(v)) {
                out.add(v);
                continue;
            }
            String vg = vgOfPv.get(v);
            if (vg == null) {
                out.add(new Volume(v.name(), v.scheme(), v.start(), v.size(), "LVM physical volume (no volume group metadata found)", v.label(), v.layer()));
            } else if (vgFirstPv.get(vg) == v) {
                out.addAll(logicalVolumes(vg, vgs.get(vg), byUuid));
            }
        }
        return out;
    }

    /** Offsets in messages are disk offsets: {@code base} is where the PV starts on the disk. */
    private static PvLabel findLabel(Layer pv, long base) throws IOException {
        if (pv.size() < 4 * 512) return null;
        ByteBuffer b = pv.readBytes(0, 4 * 512);
        for (int s = 0; s < 4; s++) {
            PvLabel l = PvLabel.parse(b.slice(s * 512, 512), s, base);
            if (l != null) return l;
        }
        return null;
    }

    /** Parsed metadata text (a whole area's, or one VG's section of it) and the disk offset of the text. */
    private record Text(Map<String, Object> map, long at) {}

    /** The text of one metadata area, or null when it holds none. */
    private static Text readMetadata(Layer pv, long base, long mdaOffset, long mdaSize) throws IOException {
        if (mdaOffset > pv.size() - 512 || mdaSize < 1024 || mdaSize > pv.size() - mdaOffset) {
            throw MdaHeader.bad(base + mdaOffset, "metadata area " + mdaOffset + "+" + mdaSize + " outside the PV");
        }
        MdaHeader h = MdaHeader.parse(pv.readBytes(mdaOffset, 512), base + mdaOffset, mdaSize);
        if (h.textSize() == 0) return null;
        if (h.textSize() > MAX_TEXT) throw MdaHeader.bad(base + mdaOffset, "metadata text of " + h.textSize() + " bytes");
        byte[] text = new byte[(int) h.textSize()];
        long first = Math.min(h.textSize(), h.size() - h.textOffset());
        pv.readFully(mdaOffset + h.textOffset(), ByteBuffer.wrap(text, 0, (int) first));
        if (first < h.textSize()) { // the ring wrapped: the rest follows the 512-byte header
            pv.readFully(mdaOffset + 512, ByteBuffer.wrap(text, (int) first, (int) (h.textSize() - first)));
        }
        long at = base + mdaOffset + h.textOffset();
        return new Text(LvmText.parse(new String(text, StandardCharsets.UTF_8), at), at);
    }

    /** Errors about the VG's metadata point at the disk offset of its text. */
    private static List<Volume> logicalVolumes(String vgName, Text text, Map<String, Pv> byUuid) {
        Map<String, Object> vg = text.map();
        long at = text.at();
        long extentSectors = num(vg, "extent_size", -1);
        // extents are at least one sector; 2^31 sectors (1 TiB) is beyond any lvm2 default or limit
        if (extentSectors <= 0 || extentSectors > 1L << 31) throw meta(vgName, at, "extent size " + extentSectors + " sectors");
        long extent = extentSectors * 512;
        Map<String, Pv> pvByName = new HashMap<>();
        Map<String, Long> peStart = new HashMap<>();
        Map<String, String> pvUuid = new HashMap<>();
        for (var e : section(vg, "physical_volumes").entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> pvm)) continue;
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) pvm;
            String uuid = str(m.get("id"));
            pvUuid.put(e.getKey(), uuid);
            Pv pv = byUuid.get(undash(uuid));
            if (pv != null) pvByName.put(e.getKey(), pv);
            long pe = num(m, "pe_start", -1);
            if (pe < 0 || pe > 1L << 40) throw meta(vgName, at, "pe_start " + pe + " of " + e.getKey());
            peStart.put(e.getKey(), pe * 512);
        }
        // an old-style snapshot is a visible LV holding the copy-on-write store, named by a hidden
        // "snapshot" segment's cow_store: its bytes are not a filesystem
        Set<String> cowStores = new HashSet<>(); // looked up once per LV: a list would be quadratic in hostile counts
        for (Object o : section(vg, "logical_volumes").values()) {
            if (!(o instanceof Map<?, ?> lvm)) continue;
            for (Object so : lvm.values()) {
                if (so instanceof Map<?, ?> seg && "snapshot".equals(seg.get("type"))) cowStores.add(str(seg.get("cow_store")));
            }
        }
        List<Volume> out = new ArrayList<>();
        for (var e : section(vg, "logical_volumes").entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> lvm)) continue;
            @SuppressWarnings("unchecked") Map<String, Object> lv = (Map<String, Object>) lvm;
            String lvName = e.getKey();
            if (cowStores.contains(lvName)) { // lvm stores the copy-on-write LV without VISIBLE, yet lists it
                String name = vgName + "-" + lvName;
                out.add(new Volume(name, "lvm", 0, 0, "LVM snapshot (not supported)", lvName,
                        new Window(new LvmVolumeLayer(List.of(), 0, name), 0, 0, name)));
                continue;
            }
            if (!flags(lv).contains("VISIBLE")) continue; // sub-LVs of pools, raids, mirrors
            out.add(logicalVolume(vgName, lvName, lv, at, extentSectors, pvByName, peStart, pvUuid));
        }
        return out;
    }

    private static Volume logicalVolume(String vgName, String lvName, Map<String, Object> lv, long textAt, long extentSectors,
                                        Map<String, Pv> pvByName, Map<String, Long> peStart, Map<String, String> pvUuid) {
        String name = vgName + "-" + lvName;
        long extent = extentSectors * 512;
        List<LvmSegment> segs = new ArrayList<>();
        long size = 0;
        String unsupported = null;
        String missing = null;
        long diskStart = -1;
        int stripesSeen = 1;
        for (var se : lv.entrySet()) {
            if (!(se.getValue() instanceof Map<?, ?> sm) || !se.getKey().startsWith("segment")) continue;
            @SuppressWarnings("unchecked") Map<String, Object> seg = (Map<String, Object>) sm;
            String type = str(seg.get("type"));
            long startExt = num(seg, "start_extent", -1);
            long count = num(seg, "extent_count", -1);
            if (startExt < 0 || count <= 0 || startExt > Long.MAX_VALUE / extent - count) throw meta(name, textAt, "segment extents " + startExt + "+" + count);
            size = Math.max(size, (startExt + count) * extent);
            if (!type.equals("striped")) {
                unsupported = type;
                continue;
            }
            Object st = seg.get("stripes");
            long n = num(seg, "stripe_count", -1);
            if (!(st instanceof List<?> list) || n < 1 || n > MAX_STRIPES || list.size() != 2 * n || count % n != 0) {
                throw meta(name, textAt, "stripes of " + se.getKey());
            }
            long stripeSectors = n == 1 ? extentSectors : num(seg, "stripe_size", -1);
            long chunk = stripeSectors * 512;
            if (stripeSectors <= 0 || stripeSectors > extentSectors || (n > 1 && (count / n * extent) % chunk != 0)) throw meta(name, textAt, "stripe size " + chunk);
            List<LvmStripe> stripes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String pvName = str(list.get(2 * i));
                long pvExt = list.get(2 * i + 1) instanceof Long l ? l : -1;
                Pv pv = pvByName.get(pvName);
                if (!peStart.containsKey(pvName)) throw meta(name, textAt, "segment names unknown PV " + pvName);
                if (pv == null) {
                    missing = pvUuid.get(pvName);
                    continue;
                }
                long areaBytes = count / n * extent;
                if (pvExt < 0 || pvExt > (Long.MAX_VALUE - peStart.get(pvName)) / extent - count) throw meta(name, textAt, "PV extent " + pvExt);
                long at = peStart.get(pvName) + pvExt * extent;
                if (at + areaBytes > pv.volume().size()) {
                    throw new CorruptImageException("lvm", "metadata of LV " + name, at,
                            "stripe area runs past the end of PV " + pvName + " (" + pv.volume().size() + " bytes)");
                }
                if (diskStart < 0) diskStart = pv.volume().start() + at;
                stripes.add(new LvmStripe(pv.volume().layer(), at));
            }
            stripesSeen = (int) Math.max(stripesSeen, n);
            if (stripes.size() == n) segs.add(new LvmSegment(startExt * extent, count * extent, chunk, stripes));
        }
        segs.sort((a, b) -> Long.compare(a.start(), b.start()));
        for (int i = 1; i < segs.size(); i++) {
            if (segs.get(i).start() < segs.get(i - 1).end()) throw meta(name, textAt, "overlapping segments");
        }
        String label = lvName;
        if (unsupported != null) {
            return new Volume(name, "lvm", Math.max(diskStart, 0), 0, "LVM " + unsupported + " (not supported)", label,
                    new Window(new LvmVolumeLayer(List.of(), 0, name), 0, 0, name));
        }
        if (missing != null) {
            return new Volume(name, "lvm", Math.max(diskStart, 0), 0, "LVM (not readable: PV " + missing + " is missing)", label,
                    new Window(new LvmVolumeLayer(List.of(), 0, name), 0, 0, name));
        }
        String type = stripesSeen > 1 ? "LVM striped (" + stripesSeen + " stripes)" : "LVM linear";
        return new Volume(name, "lvm", Math.max(diskStart, 0), size, type, label, new LvmVolumeLayer(segs, size, name));
    }

    private static List<String> flags(Map<String, Object> lv) {
        List<String> out = new ArrayList<>();
        if (lv.get("status") instanceof List<?> l) for (Object o : l) out.add(String.valueOf(o));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> m, String key) {
        return m.get(key) instanceof Map<?, ?> s ? (Map<String, Object>) s : Map.of();
    }

    private static long num(Map<?, ?> m, String key, long dflt) {
        return m.get(key) instanceof Long l ? l : dflt;
    }

    private static String str(Object o) {
        return o instanceof String s ? s : "";
    }

    private static String undash(String uuid) {
        return uuid.replace("-", "");
    }

    private static CorruptImageException meta(String what, long at, String detail) {
        return new CorruptImageException("lvm", "metadata text of " + what, at, detail);
    }
}
