package io.vdetach.cli;

import io.vdetach.json.Json;

import io.vdetach.apply.GuestPaths;
import io.vdetach.apply.ImageSource;
import io.vdetach.apply.Phase;
import io.vdetach.apply.Report;
import io.vdetach.error.VdetachException;
import io.vdetach.apply.ManifestListing;
import io.vdetach.evidence.EvidenceOptions;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.EntryType;
import io.vdetach.guestfs.Recovered;
import io.vdetach.guestfs.RecoveredTree;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.guestfs.Probed;
import io.vdetach.guestfs.TreeWalker;
import io.vdetach.image.DiskImage;
import io.vdetach.image.Snapshots;
import io.vdetach.plan.Classifier;
import io.vdetach.plan.OpenedImage;
import io.vdetach.plan.PlannedRun;
import io.vdetach.plan.RunClass;
import io.vdetach.volume.bitlocker.BitLockerInfo;
import io.vdetach.volume.vss.ShadowCopies;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ls", description = "List the image's chain and volumes, then its files with sizes and share status.")
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGE") Path image;
    @Parameters(index = "1", paramLabel = "GUEST_PATH", arity = "0..1", description = "Only this subtree (p1/etc).") String guestPath;
    @Mixin ImageOptions io = new ImageOptions();
    @Option(names = {"-l", "--long"}, description = "Mode, owner, mtime too.") boolean longFormat;
    @Option(names = "--volumes-only", description = "Chain and volumes, no files.") boolean volumesOnly;
    @Option(names = "--snapshots", description = "List the image's internal snapshots and stop.") boolean snapshots;
    @Option(names = "--deleted", description = "Also list deleted and orphan entries (<volume>/$Deleted/…, $Orphan/…), each marked (deleted).")
    boolean deleted;
    @Mixin EvidenceOptionsMixin eo = new EvidenceOptionsMixin();
    @Spec CommandSpec spec;

    /** Share status is shown for a host sharing 4 KiB blocks with the image, the common case. */
    private static final int ASSUMED_HOST_BLOCK = 4096;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** --json: the document's last member, written entry by entry as the walk reaches them (never held whole). */
    private Json.Tail entries;
    private final Classifier classifier = Classifier.hypothetical(ASSUMED_HOST_BLOCK);
    private int errors;

    @Override
    public Integer call() throws Exception {
        EvidenceOptions evidence = eo.toOptions(spec, false);
        if (evidence.writes()) return manifest(evidence);
        // Buffered, flushed once at the end: System.out flushes on every printf segment (16 writes a
        // line measured), which made listing a million entries three times slower than planning them.
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, System.out.charset());
        try {
            return list(out);
        } finally {
            out.flush();
        }
    }

    private int list(PrintStream out) throws IOException {
        ImageSource source = new ImageSource(image, io.openOptions(), io.mountOptions());
        if (snapshots) {
            // the container's own table: no volume or filesystem is read
            try (DiskImage d = source.openDisk()) {
                return listSnapshots(d, header(d), out);
            }
        }
        try (OpenedImage img = source.openImage()) {
            DiskImage d = img.image();
            Map<String, Object> json = header(d);
            for (String w : d.warnings()) Diagnostics.warning(w);
            List<Object> vols = new ArrayList<>();
            if (!io.json) {
                out.printf("image   %s  %s  %s virtual (%d bytes)%n", image, d.format(), Units.bytes(d.size()), d.size());
                for (DiskImage.ChainLink l : d.chain()) out.printf("chain   %s  %s  %s%n", l.file(), l.format(), l.detail());
                for (String w : d.warnings()) out.println("warning " + w);
                d.acquisition().ifPresent(a -> {
                    a.caseData().forEach((k, v) -> out.printf("case    %s: %s%n", k, escape(v)));
                    a.storedHashes().forEach((k, v) -> out.printf("hash    %s (stored): %s%n", k, v));
                    for (String e : a.readErrors()) out.printf("error   not read by the acquiring tool: sectors %s%n", e);
                });
                out.printf("%-8s %-6s %14s %14s  %-26s %s%n", "volume", "scheme", "start", "size", "type", "contents");
            }
            int volumeFailures = 0;
            boolean readable = false;
            for (OpenedImage.Slot s : img.slots()) {
                String contents = contents(s);
                Map<String, Object> vm = new LinkedHashMap<>();
                vm.put("name", s.volume().name());
                vm.put("scheme", s.volume().scheme());
                vm.put("start", s.volume().start());
                vm.put("size", s.volume().size());
                vm.put("type", s.volume().type());
                vm.put("label", s.volume().label());
                vm.put("contents", contents);
                if (s.bitlocker() != null) vm.put("bitlocker", bitlocker(s.bitlocker()));
                GuestFilesystem fs = s.filesystem();
                if (fs != null) {
                    readable = true;
                    vm.put("filesystem", fs.type());
                    vm.put("fs_label", fs.label());
                    vm.put("block_size", fs.blockSize());
                    vm.put("warnings", fs.warnings());
                    for (String w : fs.warnings()) Diagnostics.warning(s.volume().name() + ": " + w);
                }
                if (s.problem() != null) {
                    // recognised but unreadable: an error of that volume, as extract counts it
                    volumeFailures++;
                    errors++;
                    vm.put("error", s.problem().getMessage());
                    Diagnostics.error(s.volume().name(), s.problem().getMessage());
                }
                vols.add(vm);
                if (!io.json) {
                    String label = s.volume().label().isEmpty() ? "" : " \"" + s.volume().label() + "\"";
                    out.printf("%-8s %-6s %14d %14d  %-26s %s%n", s.volume().name(), s.volume().scheme(), s.volume().start(),
                            s.volume().size(), s.volume().type() + label, contents);
                    if (fs != null) for (String w : fs.warnings()) out.println("         warning: " + w);
                }
            }
            errors += shadowCopies(img, vols, out);
            json.put("volumes", vols);
            if (!volumesOnly) {
                if (!io.json) out.println();
                if (guestPath != null) {
                    GuestPaths.Found f = GuestPaths.resolve(img, guestPath);
                    String base = f.slot().volume().name() + (f.rest().isEmpty() ? "" : "/" + f.rest().replaceAll("/+$", ""));
                    startEntries(json, out);
                    list(f.fs(), f.node(), base, out);
                } else {
                    startEntries(json, out);
                    for (OpenedImage.Slot s : img.slots()) {
                        if (s.filesystem() == null) continue;
                        list(s.filesystem(), s.filesystem().node(s.filesystem().rootId()), s.volume().name(), out);
                        if (deleted) listRecovered(s.filesystem(), s.volume().name(), out);
                    }
                }
                if (io.json) {
                    entries.end();
                    out.println();
                }
            } else if (io.json) {
                out.println(Json.render(json));
            }
            return Report.exitCode(errors, !readable, volumeFailures);
        }
    }

    /** --json: writes the document up to its "entries", which the walk then adds to one by one. */
    private void startEntries(Map<String, Object> json, PrintStream out) {
        if (io.json) entries = Json.tail(out, json, "entries");
    }

    /** A JSON object whose members keep the order given (Map.of's order changes from one run to the next). */
    private static Map<String, Object> fields(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** The image, its chain and its warnings, as --json starts. */
    private Map<String, Object> header(DiskImage d) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("image", fields("path", image.toString(), "format", d.format(), "virtual_size", d.size()));
        List<Object> chain = new ArrayList<>();
        for (DiskImage.ChainLink l : d.chain()) chain.add(fields("file", l.file().toString(), "format", l.format(), "detail", l.detail()));
        json.put("chain", chain);
        json.put("warnings", d.warnings());
        d.acquisition().ifPresent(a -> json.put("acquisition", fields("case_data", a.caseData(), "stored_hashes",
                a.storedHashes(), "read_errors", a.readErrors())));
        return json;
    }

    /** Each live volume's VSS stores, after the volume table (JSON: under its volume); returns the errors. */
    private int shadowCopies(OpenedImage img, List<Object> vols, PrintStream out) throws IOException {
        int errors = 0;
        for (int i = 0; i < img.slots().size(); i++) {
            OpenedImage.Slot s = img.slots().get(i);
            @SuppressWarnings("unchecked")
            Map<String, Object> vm = (Map<String, Object>) vols.get(i);
            String name = s.volume().name();
            try {
                ShadowCopies copies = img.shadowCopies(s);
                if (copies == null) continue;
                if (io.json) vm.put("shadow_copies", ShadowCopiesView.json(name, copies));
                else errors += ShadowCopiesView.print(name, copies, out);
                for (String w : copies.warnings()) Diagnostics.warning(name + ": " + w);
                if (io.json && !copies.warnings().isEmpty()) vm.put("shadow_copy_warnings", copies.warnings());
            } catch (VdetachException e) {
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
                new ImageSource(image, io.openOptions(), io.mountOptions()), guestPath, evidence, deleted));
        for (String w : r.warnings()) Diagnostics.warning(w);
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

    private int listSnapshots(DiskImage d, Map<String, Object> json, PrintStream out) {
        List<Snapshots.Entry> snaps = d.snapshots().map(Snapshots::list).orElse(List.of());
        if (io.json) {
            List<Object> list = new ArrayList<>();
            for (Snapshots.Entry s : snaps) {
                list.add(fields("id", s.id(), "name", s.name(), "virtual_size", s.size(), "date", String.valueOf(s.date())));
            }
            json.put("snapshots", list);
            out.println(Json.render(json));
        } else if (snaps.isEmpty()) {
            out.println("no internal snapshots" + (d.snapshots().isPresent() ? "" : " (" + d.format() + " keeps none inside the image)"));
        } else {
            out.printf("%-6s %-30s %14s  %s%n", "id", "name", "virtual size", "date");
            for (Snapshots.Entry s : snaps) out.printf("%-6s %-30s %14d  %s%n", s.id(), s.name(), s.size(), s.date());
        }
        return 0;
    }

    private static Map<String, Object> bitlocker(BitLockerInfo b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("variant", b.variant());
        m.put("guid", b.volumeId().toString());
        m.put("encryption", b.method());
        m.put("description", b.description());
        m.put("created", b.createdText());
        m.put("encrypt_on_write", b.encryptOnWrite());
        List<Object> ps = new ArrayList<>();
        for (BitLockerInfo.Protector p : b.protectors()) ps.add(fields("type", p.type(), "guid", p.id().toString()));
        m.put("protectors", ps);
        m.put("unlocked_by", b.locked() ? null : b.unlockedBy());
        return m;
    }

    private static String contents(OpenedImage.Slot s) {
        if (s.bitlocker() != null && !s.bitlocker().locked()) {
            return s.bitlocker().summary() + "; unlocked by " + s.bitlocker().unlockedBy() + ": " + readable(s);
        }
        return readable(s);
    }

    private static String readable(OpenedImage.Slot s) {
        return switch (s.probed()) {
            case Probed.Readable r -> r.filesystem().type() + (r.filesystem().label().isEmpty() ? "" : " \"" + r.filesystem().label() + "\"")
                    + " (" + r.filesystem().blockSize() + "-byte blocks)";
            case Probed.NotExtracted n -> n.what() + ": " + n.why() + (s.problem() != null ? "" : ", not extracted");
        };
    }

    /** --deleted: the volume's recovered entries below its $Deleted/ and $Orphan/, each marked. */
    private void listRecovered(GuestFilesystem fs, String base, PrintStream out) throws IOException {
        RecoveredTree tree;
        try {
            tree = RecoveredTree.of(fs);
        } catch (VdetachException e) {
            errors++;
            Diagnostics.error(base + "/$Deleted", e.getMessage());
            if (io.json) entries.add(fields("path", base + "/$Deleted", "error", e.getMessage()));
            else out.println(escape(base + "/$Deleted") + "  ERROR: " + e.getMessage());
            return;
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while scanning " + base + " (" + fs.type() + ") for deleted entries", e);
        }
        for (String n : tree.notices()) Diagnostics.warning(base + ": " + n);
        for (VdetachException e : tree.problems()) {
            errors++;
            Diagnostics.error(base + "/$Deleted", e.getMessage());
            if (io.json) entries.add(fields("path", base + "/$Deleted", "error", e.getMessage()));
            else out.println(escape(base + "/$Deleted") + "  ERROR: " + e.getMessage());
        }
        for (DirEntry top : tree.list(tree.node(tree.rootId()))) {
            list(tree, tree.node(top.id()), base + "/" + new String(top.name(), StandardCharsets.UTF_8), out, tree);
        }
    }

    private void list(GuestFilesystem fs, Node start, String base, PrintStream out) throws IOException {
        list(fs, start, base, out, null);
    }

    /** @param tree the recovered entries' tree when listing them (entries marked "(deleted)"), else null */
    private void list(GuestFilesystem fs, Node start, String base, PrintStream out, RecoveredTree tree) throws IOException {
        try {
            walk(fs, start, base, out, tree);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw Phase.named("while listing " + base + " (" + fs.type() + ")", e);
        }
    }

    private void walk(GuestFilesystem fs, Node start, String base, PrintStream out, RecoveredTree tree) throws IOException {
        TreeWalker.walk(fs, start, List.of(), new TreeWalker.Visitor() {
            @Override
            public boolean enter(List<byte[]> path, Node dir) throws IOException {
                show(path, dir, "");
                return true;
            }

            @Override
            public void leave(List<byte[]> path, Node dir) { }

            @Override
            public void entry(List<byte[]> path, Node node) throws IOException {
                String status = "";
                if (node.type() == EntryType.FILE) status = shareStatus(fs, node);
                show(path, node, status);
            }

            @Override
            public void error(List<byte[]> path, String reason) {
                errors++;
                String p = join(base, path);
                Diagnostics.error(p, reason);
                if (io.json) entries.add(fields("path", p, "error", reason));
                else out.println(escape(p) + "  ERROR: " + reason);
            }

            private void show(List<byte[]> path, Node n, String status) throws IOException {
                Recovered r = tree == null ? null : tree.recovered(n);
                String p = join(base, path) + (n.isDirectory() ? "/" : "");
                if (r != null) status = ("(deleted) " + r.recovery().value() + (status.isEmpty() ? "" : ", " + status)).trim();
                if (io.json) {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("path", p);
                    e.put("type", n.type().name().toLowerCase());
                    e.put("size", n.size());
                    e.put("mode", String.format("%04o", n.mode()));
                    e.put("uid", n.uid());
                    e.put("gid", n.gid());
                    e.put("mtime", n.mtime().toString());
                    if (n.symlinkTarget() != null) e.put("target", new String(n.symlinkTarget(), StandardCharsets.UTF_8));
                    if (r != null) {
                        e.put("deleted", true);
                        e.put("recovery", r.recovery().value());
                        e.put("inode", fs.inodeLabel(n));
                    } else if (!status.isEmpty()) e.put("share", status);
                    if (!n.notes().isEmpty()) e.put("notes", n.notes());
                    entries.add(e);
                    return;
                }
                // One print a line, built by hand: printf's Formatter (a locale lookup per number) and
                // its write per piece were a third of listing a million NTFS entries. Same bytes as
                // "%s %04o %5d %5d %s %12d  %s%s  %s%n" (long) and "%12d  %s%s  %s%n".
                StringBuilder line = new StringBuilder(96);
                if (longFormat) {
                    line.append(typeChar(n)).append(' ');
                    padded(line, Integer.toOctalString(n.mode()), 4, '0').append(' ');
                    padded(line, Long.toString(n.uid()), 5, ' ').append(' ');
                    padded(line, Long.toString(n.gid()), 5, ' ').append(' ');
                    line.append(TIME.format(n.mtime())).append(' ');
                    padded(line, Long.toString(n.size()), 12, ' ');
                } else {
                    padded(line, Long.toString(n.isDirectory() ? 0 : n.size()), 12, ' ');
                }
                line.append("  ").append(escape(p));
                if (n.symlinkTarget() != null) line.append(" -> ").append(escape(new String(n.symlinkTarget(), StandardCharsets.UTF_8)));
                out.print(line.append("  ").append(status).append(System.lineSeparator()));
            }
        });
    }

    private String shareStatus(GuestFilesystem fs, Node n) throws IOException {
        if (n.size() == 0) return "empty";
        long share = 0, copy = 0, decode = 0, hole = 0;
        for (PlannedRun r : classifier.classify(ExtentMaps.toHostFiles(fs.content(n), 0, n.size()), n.size())) {
            if (r.kind() == RunClass.SHARE) share += r.length();
            else if (r.kind() == RunClass.COPY) copy += r.length();
            else if (r.kind() == RunClass.MATERIALISE) decode += r.length();
            else hole += r.length();
        }
        long data = share + copy + decode;
        if (data == 0) return "sparse";
        String s = "shareable " + Units.percent(share, data);
        if (decode > 0) s += ", decode " + Units.percent(decode, data);
        if (hole > 0) s += ", sparse " + Units.bytes(hole);
        return s;
    }

    /** {@code digits} right-aligned in {@code width} columns, filled with {@code fill} (as %5d, %04o do). */
    private static StringBuilder padded(StringBuilder b, String digits, int width, char fill) {
        for (int i = digits.length(); i < width; i++) b.append(fill);
        return b.append(digits);
    }

    private static String typeChar(Node n) {
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

    private static String join(String base, List<byte[]> path) {
        String p = TreeWalker.display(path);
        return p.isEmpty() ? base : base + "/" + p;
    }

    /** Control characters in guest names would break the one-entry-per-line output. */
    static String escape(String s) {
        int i0 = 0;
        while (i0 < s.length() && s.charAt(i0) >= 0x20 && s.charAt(i0) != 0x7f) i0++;
        if (i0 == s.length()) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}
