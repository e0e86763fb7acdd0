package io.vdetach.guestfs.fat;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.DeletedEntries;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Recovered;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The Sleuth Kit as the oracle of a deleted-entry scan (fls -rdp for names, tsk_recover for contents), and ours beside it. */
public final class TskDeleted {
    private TskDeleted() {}

    /**
     * fls -rdp: each deleted entry's full path and its metadata type ("r", "d", …: fls writes the
     * name's type before the '/', "-" for orphans, and the metadata's after it), those below
     * $OrphanFiles too.
     */
    public static TreeMap<String, String> fls(Path img) {
        TreeMap<String, String> out = new TreeMap<>();
        for (String line : Sh.run("fls", "-rdp", img.toString()).split("\n")) {
            int tab = line.indexOf('\t');
            if (tab < 0) continue;
            String path = line.substring(tab + 1);
            out.put(path, line.substring(line.indexOf('/') + 1, line.indexOf(' ')));
        }
        return out;
    }

    /** tsk_recover (unallocated files only, its default) into {@code out}: each recovered file's path and SHA-256. */
    public static TreeMap<String, String> tskRecover(Path img, Path out) throws IOException {
        Sh.run("tsk_recover", img.toString(), out.toString());
        TreeMap<String, String> sums = new TreeMap<>();
        try (var walk = Files.walk(out)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                sums.put(out.relativize(p).toString(), sha256(Files.readAllBytes(p)));
            }
        }
        return sums;
    }

    /** Our scan: each recovered entry by its path below $Deleted (or $Orphan/…), '/'-joined. */
    public static TreeMap<String, Recovered> ours(GuestFilesystem fs) throws IOException {
        TreeMap<String, Recovered> out = new TreeMap<>();
        DeletedEntries d = fs.deleted().orElseThrow();
        for (Recovered r; (r = d.next()) != null; ) {
            StringBuilder p = new StringBuilder(r.place() == Recovered.Place.ORPHAN ? "$Orphan/" : "");
            for (byte[] c : r.path()) p.append(p.isEmpty() || p.charAt(p.length() - 1) == '/' ? "" : "/")
                    .append(new String(c, StandardCharsets.UTF_8));
            if (out.put(p.toString(), r) != null) throw new AssertionError("recovered twice: " + p);
        }
        return out;
    }

    public static String sha256(Layer l) throws IOException {
        MessageDigest md = digest();
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < l.size(); at += b.capacity()) {
            b.clear().limit((int) Math.min(b.capacity(), l.size() - at));
            l.readFully(at, b);
            md.update(b.flip());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest().digest(b));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The entries of {@code m} below $OrphanFiles/ (Sleuth Kit) or $Orphan/ (ours), or all others. */
    public static <V> TreeMap<String, V> orphans(Map<String, V> m, boolean orphans) {
        TreeMap<String, V> out = new TreeMap<>();
        m.forEach((k, v) -> { if (k.startsWith("$Orphan") == orphans) out.put(k, v); });
        return out;
    }

    /** How many times each value occurs. */
    public static <V> TreeMap<V, Integer> counts(java.util.Collection<V> values) {
        TreeMap<V, Integer> out = new TreeMap<>();
        for (V v : values) out.merge(v, 1, Integer::sum);
        return out;
    }

    /**
     * Every entry in {@code ours} was found deleted with its metadata intact; a directory has no
     * content, and a file's content is its size and has the SHA-256 {@code sourceSum} gives for its
     * recovered path (the file it was made from).
     */
    public static void intactAsItsSource(Map<String, Recovered> ours, java.util.function.UnaryOperator<String> sourceSum)
            throws IOException {
        for (var e : ours.entrySet()) {
            Recovered r = e.getValue();
            org.assertj.core.api.Assertions.assertThat(r.place()).isEqualTo(Recovered.Place.DELETED);
            org.assertj.core.api.Assertions.assertThat(r.recovery()).as(e.getKey()).isEqualTo(Recovered.Recovery.METADATA_INTACT);
            if (r.node().isDirectory()) {
                org.assertj.core.api.Assertions.assertThat(r.content()).isNull();
                continue;
            }
            org.assertj.core.api.Assertions.assertThat(r.content().size()).isEqualTo(r.node().size());
            org.assertj.core.api.Assertions.assertThat(sha256(r.content())).as(e.getKey() + " against its source")
                    .isEqualTo(sourceSum.apply(e.getKey()));
        }
    }

    /**
     * {@code vdetach extract --deleted} of {@code img} into {@code dest}, checked against Sleuth Kit:
     * every file tsk_recover wrote (its SHA-256 in {@code tsk}) is under DEST/disk/$Deleted at the same
     * path, and every orphan's content is among those under DEST/disk/$Orphan; the live tree is left
     * as it was, and {@code ls --deleted} marks what it lists there "(deleted)".
     */
    public static void extractAgrees(Path img, Path dest, Map<String, String> tsk) throws IOException {
        io.vdetach.testkit.Cli.Run r = io.vdetach.testkit.Cli.run("extract", "--deleted", "--json", "--no-progress",
                img.toString(), dest.toString());
        org.assertj.core.api.Assertions.assertThat(r.exit()).as(r.err()).isZero();
        Map<String, String> deleted = sums(dest.resolve("disk/$Deleted"));
        tsk.forEach((p, sum) -> {
            if (!p.startsWith("$OrphanFiles/")) org.assertj.core.api.Assertions.assertThat(deleted.get(p)).as(p).isEqualTo(sum);
        });
        java.util.List<String> orphanSums = new java.util.ArrayList<>();
        if (Files.isDirectory(dest.resolve("disk/$Orphan"))) orphanSums.addAll(sums(dest.resolve("disk/$Orphan")).values());
        org.assertj.core.api.Assertions.assertThat(orphanSums).as("$Orphan against tsk_recover's $OrphanFiles")
                .containsAll(orphans(tsk, true).values());
        io.vdetach.testkit.Cli.Run ls = io.vdetach.testkit.Cli.run("ls", "--deleted", img.toString());
        org.assertj.core.api.Assertions.assertThat(ls.exit()).as(ls.err()).isZero();
        for (String p : orphans(tsk, false).keySet()) {
            org.assertj.core.api.Assertions.assertThat(ls.out()).contains("disk/$Deleted/" + p + "  (deleted)");
        }
    }

    /** The sources' SHA-256 by path relative to {@code src}. */
    public static Map<String, String> sums(Path src) throws IOException {
        TreeMap<String, String> m = new TreeMap<>();
        try (var walk = Files.walk(src)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) m.put(src.relativize(p).toString(), sha256(Files.readAllBytes(p)));
        }
        return m;
    }
}
