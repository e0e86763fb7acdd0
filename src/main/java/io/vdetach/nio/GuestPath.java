package io.vdetach.nio;

import io.vdetach.api.Entry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path of a {@link GuestFileSystem}: "/" is the image, "/p1" a volume's root, "/p1/etc/hosts" a
 * guest entry (with the {@code volume} key, "/" is that volume's root). Separated by '/', no NUL;
 * relative paths resolve against "/". A path handed out by a directory stream remembers the entry it
 * names, so walking a tree does not look every name up again.
 */
final class GuestPath implements Path {
    private final GuestFileSystem fs;
    private final String path;
    /** The start of each name in {@link #path}. */
    private final int[] offsets;
    /** The entry this path names (symlinks in the last name not followed), when known; null otherwise. */
    private final Entry entry;

    GuestPath(GuestFileSystem fs, String input) {
        this(fs, normalizeSeparators(input), null);
    }

    private GuestPath(GuestFileSystem fs, String normalized, Entry entry) {
        this.fs = fs;
        this.path = normalized;
        this.offsets = offsets(normalized);
        this.entry = entry;
    }

    /** This path, remembering that it names {@code e}. */
    GuestPath withEntry(Entry e) {
        return new GuestPath(fs, path, e);
    }

    Entry entry() { return entry; }

    String text() { return path; }

    private static String normalizeSeparators(String input) {
        if (input.indexOf('\0') >= 0) throw new InvalidPathException(input, "Nul character not allowed");
        StringBuilder b = new StringBuilder(input.length());
        char prev = 0;
        for (int i = 0; i < input.length(); i++) {
            char c = input.charAt(i);
            if (c == '/' && prev == '/') continue;
            b.append(c);
            prev = c;
        }
        if (b.length() > 1 && b.charAt(b.length() - 1) == '/') b.setLength(b.length() - 1);
        return b.toString();
    }

    private static int[] offsets(String p) {
        if (p.isEmpty()) return new int[] {0};
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) != '/' && (i == 0 || p.charAt(i - 1) == '/')) starts.add(i);
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The names, in order ("" for the empty path). */
    List<String> names() {
        List<String> out = new ArrayList<>(offsets.length);
        for (int i = 0; i < offsets.length; i++) out.add(name(i));
        return out;
    }

    private String name(int i) {
        if (path.isEmpty()) return "";
        int end = i + 1 < offsets.length ? offsets[i + 1] - 1 : path.length();
        return path.substring(offsets[i], end);
    }

    @Override
    public GuestFileSystem getFileSystem() { return fs; }

    @Override
    public boolean isAbsolute() { return path.startsWith("/"); }

    @Override
    public Path getRoot() { return isAbsolute() ? new GuestPath(fs, "/", null) : null; }

    @Override
    public Path getFileName() {
        if (path.isEmpty()) return this;
        if (offsets.length == 0) return null;
        return new GuestPath(fs, name(offsets.length - 1), null);
    }

    @Override
    public Path getParent() {
        if (offsets.length == 0 || path.isEmpty()) return null;
        if (offsets.length == 1) return getRoot();
        return new GuestPath(fs, path.substring(0, offsets[offsets.length - 1] - 1), null);
    }

    @Override
    public int getNameCount() { return offsets.length; }

    @Override
    public Path getName(int index) {
        if (index < 0 || index >= offsets.length) throw new IllegalArgumentException("name " + index + " of " + path);
        return new GuestPath(fs, name(index), null);
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > offsets.length || beginIndex >= endIndex) {
            throw new IllegalArgumentException("subpath " + beginIndex + ".." + endIndex + " of " + path);
        }
        return new GuestPath(fs, String.join("/", names().subList(beginIndex, endIndex)), null);
    }

    @Override
    public boolean startsWith(Path other) {
        GuestPath o = ours(other);
        if (o == null || o.isAbsolute() != isAbsolute()) return false;
        if (o.path.isEmpty() || path.isEmpty()) return o.path.equals(path);
        if (o.offsets.length > offsets.length) return false;
        for (int i = 0; i < o.offsets.length; i++) if (!o.name(i).equals(name(i))) return false;
        return true;
    }

    @Override
    public boolean endsWith(Path other) {
        GuestPath o = ours(other);
        if (o == null) return false;
        if (o.isAbsolute()) return o.path.equals(path);
        if (o.path.isEmpty() || path.isEmpty()) return o.path.equals(path);
        int n = o.offsets.length, m = offsets.length;
        if (n > m) return false;
        for (int i = 0; i < n; i++) if (!o.name(i).equals(name(m - n + i))) return false;
        return true;
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        boolean abs = isAbsolute();
        for (String n : names()) {
            if (n.equals(".") || n.isEmpty()) continue;
            if (n.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!abs) out.add(n);
                continue;
            }
            out.add(n);
        }
        String p = (abs ? "/" : "") + String.join("/", out);
        return p.equals(path) ? this : new GuestPath(fs, p, null);
    }

    @Override
    public Path resolve(Path other) {
        GuestPath o = ours(other);
        if (o == null) throw new ProviderMismatchException(other.getClass().getName() + " is not a path of " + fs);
        if (o.isAbsolute()) return o;
        if (o.path.isEmpty()) return this;
        if (path.isEmpty()) return o;
        return new GuestPath(fs, path.equals("/") ? "/" + o.path : path + "/" + o.path, null);
    }

    /** {@code name} (one name, as a directory stream lists it) below this path. */
    GuestPath child(String name, Entry e) {
        String p = path.isEmpty() ? name : path.equals("/") ? "/" + name : path + "/" + name;
        return new GuestPath(fs, p, e);
    }

    @Override
    public Path relativize(Path other) {
        GuestPath o = ours(other);
        if (o == null) throw new ProviderMismatchException(other.getClass().getName() + " is not a path of " + fs);
        if (o.isAbsolute() != isAbsolute()) throw new IllegalArgumentException("'other' is " + (isAbsolute() ? "relative" : "absolute"));
        if (equals(o)) return new GuestPath(fs, "", null);
        List<String> a = path.isEmpty() || path.equals("/") ? List.of() : names();
        List<String> b = o.path.isEmpty() || o.path.equals("/") ? List.of() : o.names();
        int common = 0;
        while (common < a.size() && common < b.size() && a.get(common).equals(b.get(common))) common++;
        List<String> out = new ArrayList<>();
        for (int i = common; i < a.size(); i++) out.add("..");
        out.addAll(b.subList(common, b.size()));
        return new GuestPath(fs, String.join("/", out), null);
    }

    @Override
    public URI toUri() {
        return fs.uriOf(((GuestPath) toAbsolutePath()).path);
    }

    @Override
    public Path toAbsolutePath() {
        if (isAbsolute()) return this;
        return new GuestPath(fs, path.isEmpty() ? "/" : "/" + path, entry);
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
        return fs.realPath(this, !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("a guest filesystem is read-only: nothing changes to watch");
    }

    @Override
    public int compareTo(Path other) {
        return path.compareTo(((GuestPath) other).path);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuestPath p && p.fs == fs && p.path.equals(path);
    }

    @Override
    public int hashCode() { return path.hashCode(); }

    @Override
    public String toString() { return path; }

    private GuestPath ours(Path other) {
        return other instanceof GuestPath p && p.fs == fs ? p : null;
    }
}
