package io.vdetach.evidence;

import io.vdetach.guestfs.FileAttributes;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.TimePrecision;
import io.vdetach.guestfs.Xattr;
import io.vdetach.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An {@link EntryRecord} as one JSON object on one line; keys and their meaning are in docs/evidence.md. */
public final class ManifestLine {
    private ManifestLine() {}

    public static String render(EntryRecord r) {
        return Json.line(toMap(r));
    }

    static Map<String, Object> toMap(EntryRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Node n = r.node();
        m.put("type", n == null ? null : typeName(n));
        m.put("volume", r.volume());
        if (r.path() != null || r.extraction() != null) {
            // DEST itself (the volume's root under --volume) is "."
            bytes(m, "path", r.path() != null && r.path().length == 0 ? new byte[] {'.'} : r.path());
        }
        byte[] guest = join(r.guestPath());
        m.put("guest_path", NameText.utf8OrEscaped(r.volume().getBytes(StandardCharsets.UTF_8))
                + (guest.length == 0 ? "" : "/" + NameText.utf8OrEscaped(guest)));
        if (!NameText.isUtf8(guest)) m.put("guest_name_b64", Base64.getEncoder().encodeToString(guest));
        if (n != null) node(m, r, n);
        if (r.extraction() != null) {
            m.put("shared_bytes", r.extraction().shared());
            m.put("copied_bytes", r.extraction().copied());
            m.put("decoded_bytes", r.extraction().decoded());
        }
        m.putAll(r.hashes());
        if (r.hardlinkTo() != null) bytes(m, "hardlink_to", r.hardlinkTo());
        if (r.deleted()) m.put("deleted", true);
        if (r.recovery() != null) m.put("recovery", r.recovery());
        m.put("status", r.status().label());
        if (r.error() != null) m.put("error", r.error());
        if (r.kind() != null) m.put("kind", r.kind().label());
        return m;
    }

    private static void node(Map<String, Object> m, EntryRecord r, Node n) {
        m.put("size", n.size());
        m.put("allocated", r.allocated());
        m.put("mode", String.format("%04o", n.mode() & 07777));
        m.put("uid", n.uid());
        m.put("gid", n.gid());
        m.put("nlink", n.nlink());
        m.put("inode", r.inode());
        TimePrecision p = r.precision();
        time(m, "atime", n.atime(), p.atime());
        time(m, "mtime", n.mtime(), p.mtime());
        time(m, "ctime", n.ctime(), p.ctime());
        time(m, "crtime", n.btime(), p.crtime());
        if (n.symlinkTarget() != null) bytes(m, "link_target", n.symlinkTarget());
        else m.put("link_target", null);
        List<String> names = new ArrayList<>(n.xattrs().size());
        for (Xattr x : n.xattrs()) names.add(x.name());
        m.put("xattrs", names);
        if (!r.streams().isEmpty()) {
            List<Object> streams = new ArrayList<>();
            for (EntryRecord.Stream s : r.streams()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                bytes(sm, "name", s.name());
                sm.put("size", s.size());
                sm.putAll(s.hashes());
                if (s.path() != null) bytes(sm, "path", s.path());
                streams.add(sm);
            }
            m.put("streams", streams);
        }
        if (n.fileAttributes() >= 0) m.put("ntfs_attributes", FileAttributes.names(n.fileAttributes()));
    }

    /** {@code key} as text (UTF-8, or \xNN for bytes that are not) and, where not UTF-8, {@code key_b64} exact. */
    private static void bytes(Map<String, Object> m, String key, byte[] raw) {
        if (raw == null) {
            m.put(key, null);
            return;
        }
        m.put(key, NameText.utf8OrEscaped(raw));
        if (!NameText.isUtf8(raw)) m.put(key + "_b64", Base64.getEncoder().encodeToString(raw));
    }

    private static void time(Map<String, Object> m, String key, Instant t, int digits) {
        if (t == null) {
            m.put(key, null);
            m.put(key + "_ns", null);
            return;
        }
        Timestamp ts = new Timestamp(t, digits);
        m.put(key, ts.rfc3339());
        m.put(key + "_ns", ts.epochNanos());
    }

    /** "file", "directory", "symlink", "char_device", "block_device", "fifo", "socket". */
    static String typeName(Node n) {
        return n.type().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Components joined by '/'. */
    static byte[] join(List<byte[]> components) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] c : components) {
            if (o.size() > 0) o.write('/');
            o.writeBytes(c);
        }
        return o.toByteArray();
    }
}
