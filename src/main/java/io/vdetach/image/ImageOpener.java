package io.vdetach.image;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.qcow2.Qcow2Image;
import io.vdetach.image.raw.RawImage;
import io.vdetach.image.vdi.VdiImage;
import io.vdetach.image.vhd.VhdImage;
import io.vdetach.image.vhdx.VhdxImage;
import io.vdetach.image.vmdk.VmdkImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens an image file by content, and the files it names (parents, extents) with the same
 * rules: local regular files only, relative names against the naming file's directory,
 * nothing outside the top image's directory unless allowed, no cycles.
 */
public final class ImageOpener {
    /** Deeper chains than this are refused: real snapshot chains are far shorter. */
    public static final int MAX_CHAIN_DEPTH = 256;

    private final OpenOptions options;
    private final Path topDirectory;
    private final List<Path> opening = new ArrayList<>();

    private ImageOpener(OpenOptions options, Path topDirectory) {
        this.options = options;
        this.topDirectory = topDirectory;
    }

    public OpenOptions options() { return options; }

    /**
     * True while the image named on the command line itself is being opened (not a parent):
     * options such as {@link OpenOptions#snapshot()} apply to that image only.
     */
    public boolean openingTop() { return opening.size() == 1; }

    /** Opens the image at {@code path}, detecting its format. */
    public static DiskImage open(Path path, OpenOptions options) throws IOException {
        Path real = realRegularFile(path, path.toString());
        return new ImageOpener(options, real.getParent()).openAt(real);
    }

    /**
     * Opens a file named inside {@code namedBy} (a backing file, parent or extent), resolving
     * relative names against {@code namedBy}'s directory.
     */
    public Path resolve(Path namedBy, String name, String format, String structure) throws IOException {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new CorruptImageException(format, structure, 0, "file name is empty or holds a NUL");
        }
        Path p = namedBy.getParent().resolve(name).normalize();
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.exists(p)) {
            throw new CorruptImageException(format, structure, 0,
                    "file named \"" + name + "\" (by " + namedBy + ") does not exist: " + p);
        }
        Path real = realRegularFile(p, name);
        if (!options.allowParentsOutside() && !real.startsWith(topDirectory)) {
            throw new CorruptImageException(format, structure, 0, "\"" + name + "\" (named by " + namedBy
                    + ") resolves outside the image's directory to " + real
                    + "; pass --allow-outside-parents to follow it");
        }
        return real;
    }

    /** Opens another image of any format as part of the current chain. */
    public DiskImage openParent(Path realPath, String format, String structure) throws IOException {
        if (opening.contains(realPath)) {
            throw new CorruptImageException(format, structure, 0, "backing chain cycle: " + realPath
                    + " is already part of the chain " + opening);
        }
        if (opening.size() >= MAX_CHAIN_DEPTH) {
            throw new CorruptImageException(format, structure, 0, "backing chain deeper than " + MAX_CHAIN_DEPTH);
        }
        return openAt(realPath);
    }

    private DiskImage openAt(Path real) throws IOException {
        opening.add(real);
        HostFile file = HostFile.open(real);
        boolean ok = false;
        try {
            DiskImage image = switch (ImageFormat.detect(file)) {
                case RAW -> new RawImage(file);
                case QCOW2 -> Qcow2Image.open(file, this);
                case VHD -> VhdImage.open(file, this);
                case VHDX -> VhdxImage.open(file, this);
                case VMDK -> VmdkImage.open(file, this);
                case VDI -> VdiImage.open(file, this);
            };
            ok = true;
            return image;
        } finally {
            opening.remove(opening.size() - 1);
            if (!ok) file.close();
        }
    }

    private static Path realRegularFile(Path p, String asNamed) throws IOException {
        try {
            Path real = p.toRealPath();
            if (!Files.isRegularFile(real)) {
                throw new HostException(asNamed + ": not a regular file");
            }
            return real;
        } catch (NoSuchFileException e) {
            throw new HostException(asNamed + ": no such file");
        }
    }
}
