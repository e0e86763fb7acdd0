package io.vdetach.image.raw;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A raw disk: guest offset N is file offset N. */
public final class RawImage implements DiskImage {
    /** Raw has no signature: it is what a file is when no other format recognises it. */
    public static final ImageFormat FORMAT = new ImageFormat("raw", s -> Confidence.NONE, (f, o) -> new RawImage(f));

    private final HostFile file;

    public RawImage(HostFile file) {
        this.file = file;
    }

    @Override
    public String format() { return "raw"; }

    @Override
    public List<ChainLink> chain() {
        return List.of(new ChainLink(file.path(), "raw", file.size() + " bytes"));
    }

    @Override
    public long size() { return file.size(); }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException { return file.read(offset, dst); }

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        return file.map(offset, length);
    }

    @Override
    public String describe() { return file.describe(); }

    @Override
    public void close() throws IOException { file.close(); }
}
