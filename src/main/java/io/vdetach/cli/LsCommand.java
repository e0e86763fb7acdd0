package io.vdetach.cli;

import io.vdetach.api.Acquisition;
import io.vdetach.api.BitLocker;
import io.vdetach.api.ChainLink;
import io.vdetach.api.DataRun;
import io.vdetach.api.Entry;
import io.vdetach.api.EntryVisitor;
import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.api.ImageInfo;
import io.vdetach.api.RunKind;
import io.vdetach.api.ShadowCopies;
import io.vdetach.api.Snapshot;
import io.vdetach.api.VdetachIOException;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.ManifestListing;
import io.vdetach.apply.Phase;
import io.vdetach.apply.Report;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * ls, the library's first client: the chain, volumes, shadow copies, snapshots and entries come
 * from {@link io.vdetach.api}; only --manifest/--bodyfile still run on apply's ManifestListing.
 */
@Command(name = "ls", description = "List the image's chain and volumes, then its files with sizes and share status.")
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "GUEST_PATH", arity = "0..1", description = "Only this subtree (p1/etc).") String guestPath;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = {"-l", "--long"}, description = "Mode, owner, mtime too.") boolean longFormat;
    @Option(names = "--volumes-only", description = "Chain and volumes, no files.") boolean volumesOnly;
    @Option(names = "--snapshots", description = "List the image's internal snapshots and stop.") boolean snapshots;
    @Mixin EvidenceOptionsMixin eo = new EvidenceOptionsMixin();
    @Spec CommandSpec spec;

    /** Share status is shown for a host sharing 4 KiB blocks with the image, the common case. */
    private static final int ASSUMED_HOST_BLOCK = Entry.DEFAULT_HOST_BLOCK;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter BITLOCKER_CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final List<Object> entries = new ArrayList<>();
    private int errors;

    @Override
    public Integer call() throws Exception {
        EvidenceOptions evidence = eo.toOptions(spec, false);
        if (evidence.writes()) return manifest(evidence);
        PrintStream out = System.out;
        io.vdetach.api.ImageOptions options = io.apiOptions();
        if (snapshots) {
            // the container's own table: no volume or filesystem is read
            ImageInfo info = Image.describe(image, options);
            return listSnapshots(info, header(info), out);
        }
        try (Image img = Image.open(image, options)) {
            ImageInfo info = img.info();
            Map<String, Object> json = header(info);
            for (String w : info.warnings()) Diagnostics.warning(w);
            List<Object> vols = new ArrayList<>();
            if (!io.json) {
                out.printf("image   %s  %s  %s virtual (%d bytes)%n", image, info.format(), Units.bytes(info.size()), info.size());
                for (ChainLink l : info.chain()) out.printf("chain   %s  %s  %s%n", l.file(), l.format(), l.detail());
                for (String w : info.warnings()) out.println("warning " + w);
                info.acquisition().ifPresent(a -> {
                    a.caseData().forEach((k, v) -> out.printf("case    %s: %s%n", k, escape(v)));
                    a.storedHashes().forEach((k, v) -> out.printf("hash    %s (stored): %s%n", k, v));
                    for (String e : a.readErrors()) out.printf("error   not read by the acquiring tool: sectors %s%n", e);
                });
                out.printf("%-8s %-6s %14s %14s  %-26s %s%n", "volume", "scheme", "start", "size", "type", "contents");
            }
            int volumeFailures = 0;
            boolean readable = false;
            for (GuestVolume v : img.volumes()) {
                String contents = v.description();
                Map<String, Object> vm = new LinkedHashMap<>();
                vm.put("name", v.name());
                vm.put("scheme", v.scheme());
                vm.put("start", v.start());
                vm.put("size", v.size());
                vm.put("type", v.partitionType());
                vm.put("label", v.partitionLabel());
                vm.put("contents", contents);
                v.bitLocker().ifPresent(b -> vm.put("bitlocker", bitlocker(b)));
                if (v.readable()) {
                    readable = true;
                    vm.put("filesystem", v.contentType());
                    vm.put("fs_label", v.filesystemLabel());
                    vm.put("block_size", v.blockSize());
                    vm.put("warnings", v.warnings());
                    for (String w : v.warnings()) Diagnostics.warning(v.name() + ": " + w);
                }
                Optional<VdetachIOException> problem = v.problem();
                if (problem.isPresent()) {
                    // recognised but unreadable: an error of that volume, as extract counts it
                    volumeFailures++;
                    errors++;
                    vm.put("error", problem.get().getMessage());
                    Diagnostics.error(v.name(), problem.get().getMessage());
                }
                vols.add(vm);
                if (!io.json) {
                    String label = v.partitionLabel().isEmpty() ? "" : " \"" + v.partitionLabel() + "\"";
                    out.printf("%-8s %-6s %14d %14d  %-26s %s%n", v.name(), v.scheme(), v.start(), v.size(),
                            v.partitionType() + label, contents);
                    if (v.readable()) for (String w : v.warnings()) out.println("         warning: " + w);
                }
            }
            errors += shadowCopies(img, vols, out);
            json.put("volumes", vols);
            if (!volumesOnly) {
                if (!io.json) out.println();
                if (guestPath != null) {
                    Entry start = img.require(guestPath);
                    String p = guestPath.startsWith("/") ? guestPath.substring(1) : guestPath;
                    int slash = p.indexOf('/');
                    String rest = slash < 0 ? "" : p.substring(slash + 1);
                    String base = start.volume().name() + (rest.isEmpty() ? "" : "/" + rest.replaceAll("/+$", ""));
                    list(start, base, out);
                } else {
                    for (GuestVolume v : img.volumes()) if (v.readable()) list(v.root(), v.name(), out);
                }
                json.put("entries", entries);
            }
            if (io.json) out.println(Json.render(json));
            return Report.exitCode(errors, !readable, volumeFailures);
        }
    }

    /** The image, its chain and its warnings, as --json starts. */
    private Map<String, Object> header(ImageInfo info) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("image", Map.of("path", image.toString(), "format", info.format(), "virtual_size", info.size()));
        List<Object> chain = new ArrayList<>();
        for (ChainLink l : info.chain()) chain.add(Map.of("file", l.file().toString(), "format", l.format(), "detail", l.detail()));
        json.put("chain", chain);
        json.put("warnings", info.warnings());
        info.acquisition().ifPresent((Acquisition a) -> json.put("acquisition", Map.of("case_data", a.caseData(), "stored_hashes",
                a.storedHashes(), "read_errors", a.readErrors())));
        return json;
    }

    /** Each live volume's VSS stores, after the volume table (JSON: under its volume); returns the errors. */
    private int shadowCopies(Image img, List<Object> vols, PrintStream out) throws IOException {
        int errors = 0;
        for (int i = 0; i < img.volumes().size(); i++) {
            GuestVolume v = img.volumes().get(i);
            @SuppressWarnings("unchecked")
            Map<String, Object> vm = (Map<String, Object>) vols.get(i);
            String name = v.name();
            try {
                Optional<ShadowCopies> found = v.shadowCopies();
                if (found.isEmpty()) continue;
                ShadowCopies copies = found.get();
                if (io.json) vm.put("shadow_copies", ShadowCopiesView.json(copies));
                else errors += ShadowCopiesView.print(name, copies, out);
                for (String w : copies.warnings()) Diagnostics.warning(name + ": " + w);
                if (io.json && !copies.warnings().isEmpty()) vm.put("shadow_copy_warnings", copies.warnings());
            } catch (VdetachIOException e) {
                errors++;
                vm.put("shadow_copies_error", e.getMessage());
                Diagnostics.error(name, "shadow copies not read: " + e.getMessage());
            }
        }
        return errors;
    }

    /** --manifest/--bodyfile: the entries go there; stdout (stderr when a manifest goes to stdout) gets a summary. */
    private int manifest(EvidenceOptions evidence) throws Exception {
        ManifestListing.Result r = ManifestListing.run(new ManifestListing.Request(
                new ImageSource(image, io.openOptions(), io.mountOptions()), guestPath, evidence));
        PrintStream out = evidence.usesStdout() ? System.err : System.out;
        if (io.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("entries", r.entries());
            m.put("errors", r.errors());
            m.put("seconds", r.seconds());
            out.println(Json.render(m));
        } else {
            out.printf("listed %d entries (%d errors) in %.2f s%n", r.entries(), r.errors(), r.seconds());
        }
        out.flush();
        return r.exitCode();
    }

    private int listSnapshots(ImageInfo info, Map<String, Object> json, PrintStream out) {
        List<Snapshot> snaps = info.snapshots();
        if (io.json) {
            List<Object> list = new ArrayList<>();
            for (Snapshot s : snaps) {
                list.add(Map.of("id", s.id(), "name", s.name(), "virtual_size", s.size(), "date", String.valueOf(s.date())));
            }
            json.put("snapshots", list);
            out.println(Json.render(json));
        } else if (snaps.isEmpty()) {
            out.println("no internal snapshots" + (info.keepsSnapshots() ? "" : " (" + info.format() + " keeps none inside the image)"));
        } else {
            out.printf("%-6s %-30s %14s  %s%n", "id", "name", "virtual size", "date");
            for (Snapshot s : snaps) out.printf("%-6s %-30s %14d  %s%n", s.id(), s.name(), s.size(), s.date());
        }
        return 0;
    }

    private static Map<String, Object> bitlocker(BitLocker b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", b.variant());
        m.put("guid", b.volumeId());
        m.put("encryption", b.method());
        m.put("description", b.description());
        m.put("created", BITLOCKER_CREATED.format(b.created()));
        m.put("encrypt_on_write", b.encryptOnWrite());
        List<Object> ps = new ArrayList<>();
        for (BitLocker.Protector p : b.protectors()) ps.add(Map.of("type", p.type(), "guid", p.id()));
        m.put("protectors", ps);
        m.put("unlocked_by", b.locked() ? null : b.unlockedBy());
        return m;
    }

    private void list(Entry start, String base, PrintStream out) throws IOException {
        try {
            walk(start, base, out);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while listing " + base + " (" + start.volume().contentType() + ")", e);
        }
    }

    private void walk(Entry start, String base, PrintStream out) throws IOException {
        // the displayed path of each directory being walked: the guest's bytes as UTF-8, as the names print
        Deque<String> dirs = new ArrayDeque<>();
        start.volume().walk(start, new EntryVisitor() {
            @Override
            public boolean enterDirectory(Entry dir) {
                String p = dirs.isEmpty() ? base : child(dir.nameBytes());
                dirs.push(p);
                show(p, dir, "");
                return true;
            }

            @Override
            public void leaveDirectory(Entry dir) {
                dirs.pop();
            }

            @Override
            public void visit(Entry e) throws IOException {
                String status = e.isRegularFile() ? shareStatus(e) : "";
                show(dirs.isEmpty() ? base : child(e.nameBytes()), e, status);
            }

            @Override
            public void failed(String path, List<byte[]> names, String reason) {
                errors++;
                StringBuilder p = new StringBuilder(base);
                for (byte[] n : names) p.append('/').append(new String(n, StandardCharsets.UTF_8));
                Diagnostics.error(p.toString(), reason);
                if (io.json) entries.add(Map.of("path", p.toString(), "error", reason));
                else out.println(escape(p.toString()) + "  ERROR: " + reason);
            }

            private String child(byte[] name) {
                return dirs.peek() + "/" + new String(name, StandardCharsets.UTF_8);
            }

            private void show(String path, Entry n, String status) {
                String p = path + (n.isDirectory() ? "/" : "");
                if (io.json) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("path", p);
                    e.put("type", n.type().name().toLowerCase());
                    e.put("size", n.size());
                    e.put("mode", String.format("%04o", n.mode()));
                    e.put("uid", n.uid());
                    e.put("gid", n.gid());
                    e.put("mtime", n.mtime().toString());
                    if (n.symlinkTarget() != null) e.put("target", n.symlinkTarget());
                    if (!status.isEmpty()) e.put("share", status);
                    if (!n.notes().isEmpty()) e.put("notes", n.notes());
                    entries.add(e);
                    return;
                }
                String target = n.symlinkTarget() == null ? "" : " -> " + escape(n.symlinkTarget());
                if (longFormat) {
                    out.printf("%s %04o %5d %5d %s %12d  %s%s  %s%n", typeChar(n), n.mode(), n.uid(), n.gid(),
                            TIME.format(n.mtime()), n.size(), escape(p), target, status);
                } else {
                    out.printf("%12d  %s%s  %s%n", n.isDirectory() ? 0 : n.size(), escape(p), target, status);
                }
            }
        });
    }

    private static String shareStatus(Entry e) throws IOException {
        if (e.size() == 0) return "empty";
        long share = 0, copy = 0, decode = 0, hole = 0;
        for (DataRun r : e.runs(ASSUMED_HOST_BLOCK)) {
            if (r.kind() == RunKind.SHARE) share += r.length();
            else if (r.kind() == RunKind.COPY) copy += r.length();
            else if (r.kind() == RunKind.MATERIALISE) decode += r.length();
            else hole += r.length();
        }
        long data = share + copy + decode;
        if (data == 0) return "sparse";
        String s = "shareable " + Units.percent(share, data);
        if (decode > 0) s += ", decode " + Units.percent(decode, data);
        if (hole > 0) s += ", sparse " + Units.bytes(hole);
        return s;
    }

    private static String typeChar(Entry n) {
        return switch (n.type()) {
            case FILE -> "-";
            case DIRECTORY -> "d";
            case SYMLINK -> "l";
            case CHAR_DEVICE -> "c";
            case BLOCK_DEVICE -> "b";
            case FIFO -> "p";
            case SOCKET -> "s";
        };
    }

    /** Control characters in guest names would break the one-entry-per-line output. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
