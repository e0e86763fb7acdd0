package io.vdetach.nio;

import io.vdetach.api.Entry;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code Files.readAttributes(path, "view:name,name|*")} for the views {@code basic}, {@code posix},
 * {@code owner} and {@code vdetach} (docs/library.md lists every name).
 */
final class AttributeMaps {
    private AttributeMaps() {}

    static final Set<String> VIEWS = Set.of("basic", "posix", "owner", "vdetach");

    private static final List<String> BASIC = List.of("lastModifiedTime", "lastAccessTime", "creationTime", "size",
            "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
    private static final List<String> POSIX = List.of("owner", "group", "permissions");
    /** The vdetach names "*" reads; {@code runs} is read only when named (it composes the run map). */
    static final List<String> VDETACH = List.of("volume", "filesystem", "type", "inode", "nlink", "mode", "uid", "gid", "size",
            "mtime", "atime", "ctime", "crtime", "fileAttributes", "symlinkTarget", "deviceMajor", "deviceMinor", "xattrs", "streams", "notes",
            "deleted");

    static Map<String, Object> read(GuestFileSystem fs, Entry e, String spec) throws IOException {
        int colon = spec.indexOf(':');
        String view = colon < 0 ? "basic" : spec.substring(0, colon);
        String names = colon < 0 ? spec : spec.substring(colon + 1);
        if (!VIEWS.contains(view)) throw new UnsupportedOperationException("view " + view + " is not available (basic, posix, owner, vdetach)");
        List<String> known = switch (view) {
            case "basic" -> BASIC;
            case "posix" -> concat(BASIC, POSIX);
            case "owner" -> List.of("owner");
            default -> VDETACH;
        };
        List<String> wanted = names.equals("*") ? known : List.of(names.split(","));
        GuestAttributes a = new GuestAttributes(fs, e);
        Map<String, Object> out = new LinkedHashMap<>();
        for (String n : wanted) {
            if (n.equals("*")) {
                for (String k : known) out.put(k, value(view, k, a, e));
                continue;
            }
            if (!known.contains(n) && !(view.equals("vdetach") && n.equals("runs"))) {
                throw new IllegalArgumentException("'" + n + "' not recognized in view " + view);
            }
            out.put(n, value(view, n, a, e));
        }
        return out;
    }

    private static Object value(String view, String name, GuestAttributes a, Entry e) throws IOException {
        if (view.equals("vdetach")) return vdetach(name, a, e);
        return switch (name) {
            case "lastModifiedTime" -> a.lastModifiedTime();
            case "lastAccessTime" -> a.lastAccessTime();
            case "creationTime" -> a.creationTime();
            case "size" -> a.size();
            case "isRegularFile" -> a.isRegularFile();
            case "isDirectory" -> a.isDirectory();
            case "isSymbolicLink" -> a.isSymbolicLink();
            case "isOther" -> a.isOther();
            case "fileKey" -> a.fileKey();
            case "owner" -> a.owner();
            case "group" -> a.group();
            case "permissions" -> a.permissions();
            default -> throw new IllegalArgumentException("'" + name + "' not recognized");
        };
    }

    private static Object vdetach(String name, GuestAttributes a, Entry e) throws IOException {
        if (e == null) return imageRoot(name, a);
        return switch (name) {
            case "volume" -> e.volume().name();
            case "filesystem" -> e.volume().contentType();
            case "type" -> e.type().name().toLowerCase(Locale.ROOT);
            case "inode" -> e.id();
            case "nlink" -> e.nlink();
            case "mode" -> e.mode();
            case "uid" -> e.uid();
            case "gid" -> e.gid();
            case "size" -> e.size();
            case "mtime" -> FileTime.from(e.mtime());
            case "atime" -> FileTime.from(e.atime());
            case "ctime" -> FileTime.from(e.ctime());
            case "crtime" -> e.crtime().map(FileTime::from).orElse(null);
            case "fileAttributes" -> e.fileAttributes().isPresent() ? (Object) e.fileAttributes().getAsInt() : null;
            case "symlinkTarget" -> e.symlinkTarget();
            case "deviceMajor" -> e.deviceMajor();
            case "deviceMinor" -> e.deviceMinor();
            case "xattrs" -> e.xattrs();
            case "streams" -> e.isRegularFile() || e.isDirectory() ? e.streams().stream().map(Entry::streamName).toList() : List.of();
            case "notes" -> e.notes();
            case "deleted" -> false;
            case "runs" -> e.isRegularFile() ? e.runs() : List.of();
            default -> throw new IllegalArgumentException("'" + name + "' not recognized in view vdetach");
        };
    }

    private static Object imageRoot(String name, GuestAttributes a) {
        return switch (name) {
            case "volume", "filesystem", "symlinkTarget" -> name.equals("symlinkTarget") ? null : "";
            case "type" -> "directory";
            case "inode" -> -1L;
            case "nlink" -> 1;
            case "mode" -> 0555;
            case "uid", "gid", "size", "deviceMajor", "deviceMinor" -> 0L;
            case "mtime", "atime", "ctime" -> a.lastModifiedTime();
            case "crtime", "fileAttributes" -> null;
            case "xattrs" -> Map.of();
            case "streams", "notes", "runs" -> List.of();
            case "deleted" -> false;
            default -> throw new IllegalArgumentException("'" + name + "' not recognized in view vdetach");
        };
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
