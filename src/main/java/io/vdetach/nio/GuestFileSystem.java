package io.vdetach.nio;

import io.vdetach.api.Entry;
import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The files of one opened image, read-only: "/" holds a directory per volume ({@code /p1},
 * {@code /vg-lv}, {@code /disk}), or is one volume's root when opened with the {@code volume} key.
 * Thread-safe; closing it closes the image.
 */
final class GuestFileSystem extends FileSystem {
    private final VdetachFileSystemProvider provider;
    private final Image image;
    private final GuestVolume single;
    private final List<GuestVolume> listed;
    /** The image's real path when opened through a URI (the provider's key for it); null otherwise. */
    private final Path registeredAs;
    private final Resolver resolver = new Resolver(this);
    private volatile boolean open = true;

    GuestFileSystem(VdetachFileSystemProvider provider, Image image, GuestVolume single, Path registeredAs) {
        this.provider = provider;
        this.image = image;
        this.single = single;
        this.registeredAs = registeredAs;
        List<GuestVolume> vs = new ArrayList<>();
        // a volume without a filesystem vdetach reads (swap, locked, empty) is not a directory; a damaged one is, and says why when read
        for (GuestVolume v : image.volumes()) if (v.readable() || v.problem().isPresent()) vs.add(v);
        this.listed = List.copyOf(vs);
    }

    Image image() { return image; }

    GuestVolume singleVolume() { return single; }

    List<GuestVolume> listedVolumes() { return listed; }

    /** The listed volume named {@code name}; null when there is none. */
    GuestVolume volume(String name) {
        for (GuestVolume v : listed) if (v.name().equals(name)) return v;
        return null;
    }

    /** The entry {@code p} names; null for the image's root. */
    Entry resolve(GuestPath p, boolean followLast) throws IOException {
        ensureOpen();
        return resolver.resolve(p, followLast);
    }

    /** The path without ".", "..", or symlinks (the last one kept when not following). */
    GuestPath realPath(GuestPath p, boolean followLast) throws IOException {
        Entry e = resolve(p, followLast);
        return e == null ? new GuestPath(this, "/") : pathOf(e);
    }

    /** The absolute path of an entry. */
    GuestPath pathOf(Entry e) {
        String p = e.path();
        if (single != null) {
            p = p.substring(Math.min(p.length(), single.name().length()));
            if (p.isEmpty()) p = "/";
        } else {
            p = "/" + p;
        }
        return new GuestPath(this, p).withEntry(e);
    }

    /** The store of the volume {@code p} lies on; the image's for "/" with several volumes. */
    GuestFileStore store(GuestPath p) throws IOException {
        Entry e = resolve(p, true);
        return new GuestFileStore(this, e == null ? null : e.volume());
    }

    URI uriOf(String absolutePath) {
        try {
            return new URI(VdetachFileSystemProvider.SCHEME, "file://" + image.path().toAbsolutePath() + "!" + absolutePath, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("a path that is not a URI: " + absolutePath, e);
        }
    }

    @Override
    public VdetachFileSystemProvider provider() { return provider; }

    @Override
    public void close() throws IOException {
        if (!open) return;
        open = false;
        provider.unregister(registeredAs, this);
        image.close();
    }

    @Override
    public boolean isOpen() { return open; }

    @Override
    public boolean isReadOnly() { return true; }

    @Override
    public String getSeparator() { return "/"; }

    @Override
    public Iterable<Path> getRootDirectories() {
        ensureOpen();
        return List.of(new GuestPath(this, "/"));
    }

    /** The volumes' stores (the one volume's with the {@code volume} key). */
    @Override
    public Iterable<FileStore> getFileStores() {
        ensureOpen();
        List<FileStore> out = new ArrayList<>();
        for (GuestVolume v : single != null ? List.of(single) : listed) out.add(new GuestFileStore(this, v));
        return out;
    }

    @Override
    public Set<String> supportedFileAttributeViews() { return AttributeMaps.VIEWS; }

    @Override
    public Path getPath(String first, String... more) {
        ensureOpen();
        if (more.length == 0) return new GuestPath(this, first);
        StringBuilder b = new StringBuilder(first);
        for (String m : more) {
            if (m.isEmpty()) continue;
            if (!b.isEmpty()) b.append('/');
            b.append(m);
        }
        return new GuestPath(this, b.toString());
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        int colon = syntaxAndPattern.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("syntax:pattern expected, not " + syntaxAndPattern);
        String syntax = syntaxAndPattern.substring(0, colon);
        String pattern = syntaxAndPattern.substring(colon + 1);
        Pattern p = switch (syntax.toLowerCase(java.util.Locale.ROOT)) {
            case "glob" -> Globs.compile(pattern);
            case "regex" -> Pattern.compile(pattern);
            default -> throw new UnsupportedOperationException("syntax " + syntax + " (glob or regex)");
        };
        return path -> p.matcher(path.toString()).matches();
    }

    /** Owners and groups are the guest's numbers: "1000" is found, names are not. */
    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return new UserPrincipalLookupService() {
            @Override
            public UserPrincipal lookupPrincipalByName(String name) throws IOException {
                return new NumericPrincipal(number(name), false);
            }

            @Override
            public GroupPrincipal lookupPrincipalByGroupName(String group) throws IOException {
                return new NumericPrincipal(number(group), true);
            }

            private long number(String name) throws UserPrincipalNotFoundException {
                try {
                    return Long.parseLong(name);
                } catch (NumberFormatException e) {
                    throw new UserPrincipalNotFoundException(name);
                }
            }
        };
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("a guest filesystem is read-only: nothing changes to watch");
    }

    void ensureOpen() {
        if (!open) throw new ClosedFileSystemException();
    }

    @Override
    public String toString() { return image.path() + (single != null ? " (volume " + single.name() + ")" : ""); }
}
