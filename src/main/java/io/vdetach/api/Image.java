package io.vdetach.api;

import io.vdetach.apply.Extractor;
import io.vdetach.apply.GuestPaths;
import io.vdetach.apply.ImageSource;
import io.vdetach.image.DiskImage;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A VM disk image (raw, qcow2, VHD, VHDX, VMDK, VDI, E01, split raw, OVA) opened down to its
 * filesystems, read-only: its chain, its volumes, their entries and contents, and extraction of
 * its files into a host directory. The format is detected by content, never by name.
 *
 * <p>Thread-safe: any number of threads may list and read at once (every read is positional;
 * metadata goes through one bounded cache per image). Close it when done; channels opened from
 * it stop working then.
 *
 * <pre>{@code
 * try (Image image = Image.open(Path.of("web01.qcow2"))) {
 *     for (GuestVolume v : image.volumes()) System.out.println(v.name() + " " + v.description());
 *     Entry hosts = image.entry("p1/etc/hosts").orElseThrow();
 *     System.out.print(new String(hosts.readAllBytes(), StandardCharsets.UTF_8));
 * }
 * }</pre>
 */
public final class Image implements AutoCloseable {
    private final Path path;
    private final OpenedImage opened;
    private final List<GuestVolume> volumes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Image(Path path, OpenedImage opened) {
        this.path = path;
        this.opened = opened;
        List<GuestVolume> vs = new ArrayList<>();
        for (OpenedImage.Slot s : opened.slots()) vs.add(new GuestVolume(opened, s));
        this.volumes = List.copyOf(vs);
    }

    /** Opens {@code path} with the {@linkplain ImageOptions#defaults() default options}. */
    public static Image open(Path path) throws IOException {
        return open(path, ImageOptions.defaults());
    }

    /**
     * Opens the image at {@code path}, its chain, its volumes and their filesystems.
     *
     * @throws VdetachIOException when the image is damaged, unsupported, names a missing file, or
     *     holds nothing vdetach recognises ({@link VdetachIOException#nothingRecognised()})
     */
    public static Image open(Path path, ImageOptions options) throws IOException {
        Objects.requireNonNull(path);
        OpenedImage opened = Failures.call(() -> new ImageSource(path, options.openOptions(), options.mountOptions()).openImage());
        return new Image(path, opened);
    }

    /** The container alone (format, chain, snapshots, case data), without reading any volume. */
    public static ImageInfo describe(Path path, ImageOptions options) throws IOException {
        return Failures.call(() -> {
            try (DiskImage d = new ImageSource(path, options.openOptions(), options.mountOptions()).openDisk()) {
                return ImageInfo.of(path, d);
            }
        });
    }

    public Path path() { return path; }

    public ImageInfo info() { return ImageInfo.of(path, opened.image()); }

    /** "raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "ewf", … */
    public String format() { return opened.image().format(); }

    /** The guest disk's virtual size in bytes. */
    public long size() { return opened.image().size(); }

    /** The image file, then its backing or parent files. */
    public List<ChainLink> chain() { return info().chain(); }

    /** What does not stop reading but a user should know (a dirty log replayed in memory, …). */
    public List<String> warnings() { return opened.image().warnings(); }

    /** Every volume, in disk order (with shadow copies where {@link ImageOptions#shadowCopies()} asks for them). */
    public List<GuestVolume> volumes() { return volumes; }

    /** The volume named {@code nameOrNumber} ("p1", "vg-lv", "disk", "p1@vss2", or its 1-based number). */
    public Optional<GuestVolume> volume(String nameOrNumber) {
        OpenedImage.Slot s = opened.slot(nameOrNumber);
        if (s == null) return Optional.empty();
        for (GuestVolume v : volumes) if (v.slot() == s) return Optional.of(v);
        return Optional.empty();
    }

    /** The entry at a guest path that starts with the volume ("p1/etc/hosts"), symlinks not followed. */
    public Optional<Entry> entry(String guestPath) throws IOException {
        String p = guestPath.startsWith("/") ? guestPath.substring(1) : guestPath;
        int slash = p.indexOf('/');
        Optional<GuestVolume> v = volume(slash < 0 ? p : p.substring(0, slash));
        if (v.isEmpty()) return Optional.empty();
        return v.get().entry(slash < 0 ? "" : p.substring(slash + 1));
    }

    /**
     * The entry at a guest path that starts with the volume ("p1/etc/hosts"; "p1" is the volume's
     * root), symlinks not followed, compared byte for byte with the guest's names (UTF-8).
     *
     * @throws VdetachIOException ({@link FailureKind#HOST}, as {@code vdetach ls} and {@code cat}
     *     exit 4) saying why nothing is there: no such volume, no readable filesystem on it, a name
     *     not found or under a non-directory; the volume's own problem when it is damaged
     */
    public Entry require(String guestPath) throws IOException {
        return Failures.call(() -> {
            GuestPaths.Found f = GuestPaths.resolve(opened, guestPath);
            GuestVolume v = null;
            for (GuestVolume x : volumes) if (x.slot() == f.slot()) v = x;
            StringBuilder path = new StringBuilder(v.name());
            byte[] name = new byte[0];
            for (String part : f.rest().split("/")) {
                if (part.isEmpty()) continue;
                name = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                path.append('/').append(Names.component(name));
            }
            return new Entry(v, path.toString(), name, f.node(), null);
        });
    }

    /**
     * Writes the image's files into {@code dest} ({@code dest/<volume>/<guest path>}, or straight into
     * {@code dest} for {@link ExtractionOptions#withVolume one volume}), sharing blocks with the image
     * where DEST's filesystem can, and restoring modes, times, owners, links and xattrs. Entries that
     * fail are listed in the report and the run goes on. The image is never modified.
     */
    public ExtractionReport extract(Path dest, ExtractionOptions options) throws IOException {
        return Failures.call(() -> ExtractionReport.of(Extractor.extract(opened, dest, options.internal(false))));
    }

    /** What {@link #extract} would do, without writing anything: bytes shared, copied and sparse, and why. */
    public ExtractionReport plan(Path dest, ExtractionOptions options) throws IOException {
        return Failures.call(() -> ExtractionReport.of(Extractor.extract(opened, dest, options.internal(true))));
    }

    /** Closes the image's files; idempotent. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) Failures.call(() -> {
            opened.close();
            return null;
        });
    }

    @Override
    public String toString() { return path + " (" + format() + ")"; }
}
