package io.vdetach.nio;

import io.vdetach.api.Entry;
import io.vdetach.api.GuestVolume;
import io.vdetach.api.Image;
import io.vdetach.api.VdetachIOException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code vdetach} file system provider: the files inside a VM disk image, read in place.
 *
 * <p>{@code FileSystems.newFileSystem(image)} (or with an {@code env}) opens any image vdetach
 * reads, detected by content; for a file that is not one (no container format claims it and no
 * partition table or filesystem is recognised in it) it throws {@link UnsupportedOperationException},
 * so the JDK gives other providers (zipfs) their turn. Each
 * call opens an independent file system. {@code FileSystems.newFileSystem(URI.create("vdetach:" +
 * image.toUri()), env)} registers the one file system of that image, which
 * {@code FileSystems.getFileSystem(uri)} and {@code Path.of(URI)} find
 * ({@code vdetach:file:///images/web01.qcow2!/p1/etc/hosts}); a second {@code newFileSystem} of the
 * same URI throws {@link FileSystemAlreadyExistsException} until it is closed.
 *
 * <p>Every write throws {@link ReadOnlyFileSystemException}. See the package documentation for
 * paths, env keys and attributes.
 */
public final class VdetachFileSystemProvider extends FileSystemProvider {
    /** The URI scheme: {@code vdetach:file:///path/to/image.qcow2!/p1/etc/hosts}. */
    public static final String SCHEME = "vdetach";

    /** File systems opened through a URI, by the image's real path. */
    private final Map<Path, GuestFileSystem> byImage = new HashMap<>();

    /** For {@link java.util.ServiceLoader}; use {@link FileSystems} to reach the installed instance. */
    public VdetachFileSystemProvider() {}

    @Override
    public String getScheme() { return SCHEME; }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        Path image = imageOf(uri);
        Path real = image.toRealPath();
        synchronized (byImage) {
            if (byImage.containsKey(real)) throw new FileSystemAlreadyExistsException(uri.toString());
        }
        Env e = Env.parse(env);
        refuseUnknown(e);
        GuestFileSystem fs = open(image, e, real);
        synchronized (byImage) {
            if (!byImage.containsKey(real)) {
                byImage.put(real, fs);
                return fs;
            }
        }
        fs.close();
        throw new FileSystemAlreadyExistsException(uri.toString());
    }

    /**
     * An independent file system of the image at {@code path}. {@link UnsupportedOperationException}
     * when {@code path} is not a regular file of the default file system holding an image vdetach
     * reads (so {@link FileSystems#newFileSystem(Path, Map)} asks the next provider).
     */
    @Override
    public FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
        if (path.getFileSystem() != FileSystems.getDefault() || !Files.isRegularFile(path)) {
            throw new UnsupportedOperationException(path + " is not a file vdetach can open");
        }
        Env e = Env.parse(env);
        try {
            GuestFileSystem fs = open(path, e, null);
            if (!e.unknown().isEmpty()) {
                fs.close();
                refuseUnknown(e);
            }
            return fs;
        } catch (VdetachIOException x) {
            // a file no container format claims and in which nothing is recognised is no disk image:
            // another provider's turn (a container, say qcow2, holding nothing known is an error of it)
            if (x.nothingRecognised() && "raw".equals(x.format())) {
                throw new UnsupportedOperationException(path + " is not a disk image vdetach reads", x);
            }
            throw x;
        }
    }

    private GuestFileSystem open(Path path, Env e, Path registeredAs) throws IOException {
        Image image = Image.open(path, e.options());
        try {
            GuestVolume single = null;
            if (e.volume() != null) {
                single = image.volume(e.volume()).orElseThrow(() -> new IllegalArgumentException("env volume: no volume "
                        + e.volume() + " in " + path + " (" + String.join(", ", image.volumes().stream().map(GuestVolume::name).toList()) + ")"));
                single.root(); // a volume without a readable filesystem fails now
            }
            return new GuestFileSystem(this, image, single, registeredAs);
        } catch (IOException | RuntimeException x) {
            image.close();
            throw x;
        }
    }

    private static void refuseUnknown(Env e) {
        if (!e.unknown().isEmpty()) {
            throw new IllegalArgumentException("env keys not known to vdetach: " + String.join(", ", e.unknown())
                    + " (volume, snapshot, vss, allowOutsideParents, allowMissingDelta, deleted, systemFiles, ntfsXattrs, fatTimeZone,"
                    + " fatCodePage, password, passwordFile, recoveryPassword, keyFile)");
        }
    }

    void unregister(Path registeredAs, GuestFileSystem fs) {
        if (registeredAs == null) return;
        synchronized (byImage) {
            byImage.remove(registeredAs, fs);
        }
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
        Path image = imageOf(uri);
        try {
            Path real = image.toRealPath();
            synchronized (byImage) {
                GuestFileSystem fs = byImage.get(real);
                if (fs != null) return fs;
            }
        } catch (IOException ignored) {
            // no such image: not open either
        }
        throw new FileSystemNotFoundException(uri.toString());
    }

    @Override
    public Path getPath(URI uri) {
        FileSystem fs = getFileSystem(uri);
        String spec = uri.getSchemeSpecificPart();
        int sep = spec.indexOf("!/");
        return fs.getPath(sep < 0 ? "/" : spec.substring(sep + 1));
    }

    /** {@code vdetach:file:///images/web01.qcow2[!/path]}: the image file. */
    private Path imageOf(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) throw new IllegalArgumentException("not a " + SCHEME + ": URI: " + uri);
        String spec = uri.getRawSchemeSpecificPart();
        int sep = spec.indexOf("!/");
        if (sep >= 0) spec = spec.substring(0, sep);
        try {
            return Path.of(new URI(spec)).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            throw new IllegalArgumentException(uri + ": vdetach:file:///path/to/image expected", e);
        }
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return newFileChannel(path, options, attrs);
    }

    /** A regular file's (or named stream's) content: read-only, positional reads, holes as zeros. */
    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        for (OpenOption o : options) {
            if (o != StandardOpenOption.READ && o != LinkOption.NOFOLLOW_LINKS && o != StandardOpenOption.SPARSE
                    && o != StandardOpenOption.SYNC && o != StandardOpenOption.DSYNC) {
                throw new ReadOnlyFileSystemException();
            }
        }
        if (attrs.length > 0) throw new ReadOnlyFileSystemException();
        GuestPath p = ours(path);
        Entry e = p.getFileSystem().resolve(p, !options.contains(LinkOption.NOFOLLOW_LINKS));
        if (e == null || e.isDirectory()) throw new FileSystemException(path.toString(), null, "Is a directory");
        if (e.isSymbolicLink()) throw new FileSystemException(path.toString(), null, "Too many levels of symbolic links (NOFOLLOW_LINKS)");
        if (!e.isRegularFile()) throw new FileSystemException(path.toString(), null, "not a regular file (" + e.type() + ")");
        return e.open();
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        GuestPath p = ours(dir);
        Entry e = p.getFileSystem().resolve(p, true);
        if (e != null && !e.isDirectory()) throw new NotDirectoryException(dir.toString());
        return new GuestDirectoryStream(p, e, filter);
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void createLink(Path link, Path existing) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void delete(Path path) { throw new ReadOnlyFileSystemException(); }

    /** Within the image: refused. (Files.copy to another file system reads through this provider and needs no copy here.) */
    @Override
    public void copy(Path source, Path target, CopyOption... options) { throw new ReadOnlyFileSystemException(); }

    @Override
    public void move(Path source, Path target, CopyOption... options) { throw new ReadOnlyFileSystemException(); }

    /** The target as the guest stores it, as a path of this file system (relative or absolute, unresolved). */
    @Override
    public Path readSymbolicLink(Path link) throws IOException {
        GuestPath p = ours(link);
        Entry e = p.getFileSystem().resolve(p, false);
        if (e == null || !e.isSymbolicLink()) throw new NotLinkException(link.toString());
        return p.getFileSystem().getPath(e.symlinkTarget());
    }

    /** Equal paths, or two names of one file (hard links, or symlinks to it). */
    @Override
    public boolean isSameFile(Path a, Path b) throws IOException {
        if (a.equals(b)) return true;
        if (!(a instanceof GuestPath pa) || !(b instanceof GuestPath pb) || pa.getFileSystem() != pb.getFileSystem()) return false;
        Entry ea = pa.getFileSystem().resolve(pa, true);
        Entry eb = pb.getFileSystem().resolve(pb, true);
        if (ea == null || eb == null) return ea == eb;
        return ea.isSameFile(eb);
    }

    /** A name starting with '.', or an entry with Windows' hidden attribute. */
    @Override
    public boolean isHidden(Path path) throws IOException {
        GuestPath p = ours(path);
        Entry e = p.getFileSystem().resolve(p, false);
        if (e == null) return false;
        // a dot file, as on Unix; or FILE_ATTRIBUTE_HIDDEN (0x2) on NTFS, FAT and exFAT, as Windows shows it
        return e.name().startsWith(".") || (e.fileAttributes().orElse(0) & 0x2) != 0;
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        GuestPath p = ours(path);
        return p.getFileSystem().store(p);
    }

    /** READ when the entry exists; WRITE never; EXECUTE when any execute bit is set. */
    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        GuestPath p = ours(path);
        Entry e = p.getFileSystem().resolve(p, true);
        for (AccessMode m : modes) {
            switch (m) {
                case READ -> { }
                case WRITE -> throw new AccessDeniedException(path.toString(), null, "read-only file system");
                case EXECUTE -> {
                    int mode = e == null ? 0555 : e.mode();
                    if ((mode & 0111) == 0) throw new AccessDeniedException(path.toString());
                }
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        GuestPath p = ours(path);
        boolean follow = !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS);
        if (type == BasicFileAttributeView.class) return (V) new GuestAttributeView("basic", p, follow);
        if (type == PosixFileAttributeView.class) return (V) new GuestAttributeView("posix", p, follow);
        if (type == FileOwnerAttributeView.class) return (V) new GuestAttributeView("owner", p, follow);
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
        if (type != BasicFileAttributes.class && type != PosixFileAttributes.class) {
            throw new UnsupportedOperationException(type.getName() + " (BasicFileAttributes or PosixFileAttributes)");
        }
        GuestPath p = ours(path);
        GuestFileSystem fs = p.getFileSystem();
        return (A) new GuestAttributes(fs, fs.resolve(p, !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS)));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        GuestPath p = ours(path);
        GuestFileSystem fs = p.getFileSystem();
        return AttributeMaps.read(fs, fs.resolve(p, !Arrays.asList(options).contains(LinkOption.NOFOLLOW_LINKS)), attributes);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw new ReadOnlyFileSystemException();
    }

    private static GuestPath ours(Path path) {
        if (path instanceof GuestPath p) {
            p.getFileSystem().ensureOpen();
            return p;
        }
        throw new ProviderMismatchException((path == null ? "null" : path.getClass().getName()) + " is not a vdetach path");
    }
}
