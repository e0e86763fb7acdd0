package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.HostException;
import io.vdetach.error.ImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.UsageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.HostFile;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ewf.EwfImage;
import io.vdetach.image.ova.OvaImage;
import io.vdetach.image.qcow2.Qcow2Image;
import io.vdetach.image.splitraw.SplitRawImage;
import io.vdetach.image.vdi.VdiImage;
import io.vdetach.image.vhd.VhdImage;
import io.vdetach.image.vhdx.VhdxImage;
import io.vdetach.image.vmdk.VmdkImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens an image file by content, and the files it names (parents, extents) with the same
 * rules: local regular files only (checked before opening: a FIFO would block), relative names
 * against the naming file's directory, nothing outside the top image's directory unless allowed,
 * no cycles. Carries the one {@link BlockCache} every layer of the chain caches in. Files are
 * found through a {@link FileResolver}: the running system's, or an unmounted host filesystem's.
 */
public final class ImageOpener {
    /** Deeper chains than this are refused: real snapshot chains are far shorter. */
    public static final int MAX_CHAIN_DEPTH = 256;

    /**
     * Every format vdetach reads. Adding one: its own package, and one line here. Raw (or split raw,
     * when the file's name starts a set of parts) is the fallback.
     */
    public static final List<ImageFormat> FORMATS = List.of(Qcow2Image.FORMAT, VhdxImage.FORMAT, VmdkImage.FORMAT,
            VdiImage.FORMAT, VhdImage.FORMAT, EwfImage.FORMAT, OvaImage.FORMAT, SplitRawImage.FORMAT);

    private final OpenOptions options;
    private final Path topDirectory;
    private final BlockCache cache;
    private final FileResolver files;
    private final List<Path> opening = new ArrayList<>();
    /** Set for the opener of a disk stored inside an archive: names in it are not followed. */
    private final String insideArchive;

    private ImageOpener(OpenOptions options, Path topDirectory) {
        this(options, topDirectory, BlockCache.withDefaultBudget(), FileResolver.LOCAL);
    }

    private ImageOpener(OpenOptions options, Path topDirectory, BlockCache cache, FileResolver files) {
        this(options, topDirectory, cache, files, null);
    }

    private ImageOpener(OpenOptions options, Path topDirectory, BlockCache cache, FileResolver files, String insideArchive) {
        this.options = options;
        this.topDirectory = topDirectory;
        this.cache = cache;
        this.files = files;
        this.insideArchive = insideArchive;
    }

    /** The cache of this opened image: every format of the chain takes its regions from it. */
    public BlockCache cache() { return cache; }

    /** Opens the image at {@code path}, detecting its format, with a cache of its own. */
    public static DiskImage open(Path path, OpenOptions options) throws IOException {
        return open(path, options, BlockCache.withDefaultBudget());
    }

    /** Opens the image at {@code path}; its whole chain caches in {@code cache}. */
    public static DiskImage open(Path path, OpenOptions options, BlockCache cache) throws IOException {
        return open(path, options, cache, FileResolver.LOCAL);
    }

    /** Opens the image at {@code path} as {@code files} finds it, and every file it names the same way. */
    public static DiskImage open(Path path, OpenOptions options, BlockCache cache, FileResolver files) throws IOException {
        String why = files.notRegular(path);
        // the image named on the command line: a missing or non-regular path is the host's business (exit 4)
        if (why != null) throw new HostException(path + ": " + (why.equals(FileResolver.MISSING) ? "no such file" : why));
        Path real = files.realPath(path);
        return new ImageOpener(options, real.getParent(), cache, files).openTop(real);
    }

    /** The top image, or the internal snapshot of it that {@link OpenOptions#snapshot()} asks for. */
    private DiskImage openTop(Path real) throws IOException {
        DiskImage image = openChain(real);
        String wanted = options.snapshot();
        if (wanted == null) return image;
        boolean ok = false;
        try {
            Snapshots snapshots = image.snapshots().orElseThrow(() -> new UsageException("--snapshot " + wanted + ": "
                    + real + " is a " + image.format() + " image, which keeps no snapshots inside; a snapshot of it is"
                    + " a file of its own: name that file instead"));
            DiskImage snapshot = snapshots.opener().open(wanted);
            ok = true;
            return snapshot;
        } finally {
            if (!ok) image.close();
        }
    }

    /** The chain from {@code real} down; with a missing link under --allow-missing-delta, what lies below it. */
    private DiskImage openChain(Path real) throws IOException {
        try {
            return openAt(real, null);
        } catch (ChainCut cut) {
            if (cut.below == null) {
                throw UnsupportedImageException.because("chain", cut.what + "; --allow-missing-delta cannot read what lies below it:"
                        + " only the missing file names it. Open that image directly");
            }
            return new CutChainImage(cut.below, real, cut.what);
        }
    }

    /**
     * Where {@code name}, stored in {@code field} of {@code namedBy}, leads (relative names against
     * {@code namedBy}'s directory), and whether it may be opened. Never opens the file.
     */
    public Located locate(Path namedBy, String name, NamingField field) throws IOException {
        if (insideArchive != null) {
            throw new UnsupportedImageException(field.format(), field.structure(), field.offset(), "a disk inside an archive ("
                    + insideArchive + ") naming another file (\"" + name + "\")");
        }
        if (name.isEmpty() || name.indexOf('\0') >= 0) return new Located(field, name, null, "the file name is empty or holds a NUL");
        Path p = namedBy.getParent().resolve(name).normalize();
        String why = files.notRegular(p);
        if (why != null) return new Located(field, name, p, why + " (named in " + namedBy + ")");
        Path real = files.realPath(p);
        if (!options.allowParentsOutside() && !real.startsWith(topDirectory)) {
            return new Located(field, name, real, "resolves outside the image's directory " + topDirectory
                    + " (named in " + namedBy + "); pass --allow-outside-parents to follow it");
        }
        return new Located(field, name, real, null);
    }

    /**
     * Opens a disk stored inside an archive ({@code member}, a slice of the archive file), detecting
     * its format, in this image's cache; files it names are not followed (they would be other
     * members, which vdetach does not look up).
     */
    public DiskImage openMember(HostFile member) throws IOException {
        ImageOpener inner = new ImageOpener(options, topDirectory, cache, files, member.describe());
        return detect(member).opener().open(member, inner);
    }

    /** Opens a plain file {@code located} names (an extent, a data file): its error when it is not usable. */
    public HostFile openFile(Located located) throws IOException {
        return files.open(located.orThrow());
    }

    /**
     * The regular files beside {@code file} (symbolic links not followed), for formats that find a
     * parent by content (VDI): {@link #locate} each name before opening it.
     */
    public List<Path> regularFilesBeside(Path file) throws IOException {
        return files.regularFiles(file.getParent());
    }

    /** Opens the parent {@code located} (its error when it is not usable), detecting its format, as part of the chain. */
    public DiskImage openParent(Located located) throws IOException {
        return openParent(located, null);
    }

    /** Opens a parent as {@code format} whatever its content (a qcow2 backing_format of raw), or by content when null. */
    public DiskImage openParent(Located located, ImageFormat format) throws IOException {
        if (!located.usable() && options.allowMissingDelta() && located.path() != null) {
            throw new ChainCut(located.path() + " is missing or unreadable (" + located.why() + ")", null);
        }
        Path realPath = located.orThrow();
        NamingField field = located.field();
        if (opening.contains(realPath)) {
            throw new CorruptImageException(field.format(), field.structure(), field.offset(), "backing chain cycle: "
                    + realPath + " is already part of the chain " + opening);
        }
        if (opening.size() >= MAX_CHAIN_DEPTH) {
            throw new CorruptImageException(field.format(), field.structure(), field.offset(), "backing chain deeper than "
                    + MAX_CHAIN_DEPTH);
        }
        if (!options.allowMissingDelta()) return openAt(realPath, format);
        try {
            return openAt(realPath, format);
        } catch (ChainCut cut) {
            throw cut;
        } catch (ImageException unreadable) {
            throw new ChainCut(realPath + " (named in " + field.structure() + " at offset " + field.offset() + ") cannot be read: "
                    + unreadable.getMessage(), null);
        }
    }

    /** Whether a missing link may cut the chain ({@link OpenOptions#allowMissingDelta}). */
    public boolean allowsMissingDelta() { return options.allowMissingDelta(); }

    /**
     * For a format whose own data file is missing or unreadable while what it is stacked on is known
     * (a VMDK descriptor whose delta extent is gone): with {@link OpenOptions#allowMissingDelta}, stops
     * opening everything above and reads {@code below} instead. Always throws.
     */
    public RuntimeException cutChain(String what, DiskImage below) {
        return new ChainCut(what, below);
    }

    private DiskImage openAt(Path real, ImageFormat format) throws IOException {
        opening.add(real);
        HostFile file = files.open(real);
        boolean ok = false;
        try {
            DiskImage image = (format != null ? format : detect(file)).opener().open(file, this);
            ok = true;
            return image;
        } finally {
            opening.removeLast();
            if (!ok) file.close();
        }
    }

    /** The format whose probe is most confident; raw when none is; an error when two are equally so. */
    static ImageFormat detect(HostFile file) throws IOException {
        ImageFormat.Sample sample = ImageFormat.Sample.of(file);
        ImageFormat best = SplitRawImage.FORMAT;
        ImageFormat tie = null;
        Confidence bestSure = Confidence.NONE;
        for (ImageFormat f : FORMATS) {
            Confidence sure = f.probe().apply(sample);
            if (sure.compareTo(bestSure) > 0) {
                best = f;
                bestSure = sure;
                tie = null;
            } else if (sure == bestSure && sure != Confidence.NONE) {
                tie = f;
            }
        }
        if (tie != null) {
            throw new CorruptImageException(best.name() + "/" + tie.name(), "signature", -1, file.path() + " carries the"
                    + " signatures of both " + best.name() + " and " + tie.name() + "; refusing to guess which it is");
        }
        return best;
    }
}
