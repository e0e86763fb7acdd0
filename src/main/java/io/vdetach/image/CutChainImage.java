package io.vdetach.image;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What is left of a chain whose link was missing or unreadable, under {@code --allow-missing-delta}:
 * the images below that link, read as they are, with a warning that every report repeats. Nothing
 * of it is the image named on the command line, so {@code detach} deletes nothing.
 */
final class CutChainImage implements DiskImage {
    private final DiskImage below;
    private final Path top;
    private final String warning;

    CutChainImage(DiskImage below, Path top, String what) {
        this.below = below;
        this.top = top;
        this.warning = "--allow-missing-delta: " + what + "; " + top + " and every link above the missing one are left out:"
                + " this is the disk as " + below.describe() + " holds it";
    }

    @Override public String format() { return below.format(); }

    @Override public long size() { return below.size(); }

    @Override public int read(long offset, ByteBuffer dst) throws IOException { return below.read(offset, dst); }

    @Override public List<Run> map(long offset, long length) throws IOException { return below.map(offset, length); }

    @Override public String describe() { return below.describe(); }

    @Override public List<ChainLink> chain() {
        List<ChainLink> out = new ArrayList<>();
        out.add(new ChainLink(top, "left out", warning));
        out.addAll(below.chain());
        return out;
    }

    @Override public List<Path> files() { return below.files(); }

    @Override
    public List<Path> ownFiles() {
        throw UnsupportedImageException.because("chain", "detach of a chain cut by --allow-missing-delta is not supported: the"
                + " files read are not " + top + "'s own, and " + top + " was not read");
    }

    @Override public List<String> warnings() {
        List<String> w = new ArrayList<>();
        w.add(warning);
        w.addAll(below.warnings());
        return w;
    }

    @Override public Optional<AcquisitionInfo> acquisition() { return below.acquisition(); }

    @Override public void close() throws IOException { below.close(); }
}
