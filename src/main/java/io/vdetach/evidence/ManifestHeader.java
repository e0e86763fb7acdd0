package io.vdetach.evidence;

import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.image.DiskImage;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manifest's first line: who wrote it, from what, when, on which host (docs/evidence.md).
 * The end time and the totals are in the last line ({@link EvidenceLog#summary}), since lines are
 * written as entries complete.
 */
public final class ManifestHeader {
    private ManifestHeader() {}

    /** The manifest format's version: a reader can tell what keys to expect. */
    public static final int FORMAT_VERSION = 1;
    /** Image files are hashed in reads this large. */
    private static final int READ = 8 << 20;

    public static Map<String, Object> of(EvidenceOptions o, String command, OpenedImage img, Instant start) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "header");
        m.put("format", "vdetach-manifest");
        m.put("format_version", FORMAT_VERSION);
        m.put("vdetach", o.version());
        m.put("command", command);
        m.put("command_line", o.commandLine());
        m.put("host", hostName());
        m.put("start", new Timestamp(start, 9).rfc3339());
        m.put("start_ns", new Timestamp(start, 9).epochNanos());
        m.put("hashes", o.hashes().stream().map(Digests.Algorithm::key).toList());
        DiskImage d = img.image();
        m.put("image_format", d.format());
        m.put("virtual_size", d.size());
        List<Object> chain = new ArrayList<>();
        for (DiskImage.ChainLink l : d.chain()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("file", l.file().toString());
            c.put("format", l.format());
            c.put("detail", l.detail());
            c.put("size", Files.size(l.file()));
            if (o.hashImage()) c.put("sha256", sha256(l.file()));
            chain.add(c);
        }
        m.put("image_chain", chain);
        List<Object> vols = new ArrayList<>();
        for (OpenedImage.Slot s : img.slots()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", s.volume().name());
            v.put("scheme", s.volume().scheme());
            v.put("start", s.volume().start());
            v.put("size", s.volume().size());
            v.put("type", s.volume().type());
            GuestFilesystem fs = s.filesystem();
            v.put("filesystem", fs == null ? null : fs.type());
            if (fs != null) v.put("fs_label", fs.label());
            if (fs == null) v.put("contents", s.problem() != null ? "error: " + s.problem().getMessage() : describe(s));
            vols.add(v);
        }
        m.put("volumes", vols);
        return m;
    }

    private static String describe(OpenedImage.Slot s) {
        return s.probed() instanceof io.vdetach.guestfs.Probed.NotExtracted n ? n.what() + ": " + n.why() : "";
    }

    /** The kernel's host name (uname's nodename), without a DNS lookup. */
    static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** SHA-256 of a whole file, read front to back. */
    static String sha256(Path file) throws IOException {
        Digests d = new Digests(List.of(Digests.Algorithm.SHA256));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(READ);
            while (ch.read(buf.clear()) > 0) d.update(buf.flip());
        }
        return d.finish().get("sha256");
    }
}
