package io.vdetach.image.vmdk;

import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** Placeholder until the vmdk reader lands: recognised by magic, refused with exit 3. */
public final class VmdkImage implements DiskImage {
    private VmdkImage() {}

    public static VmdkImage open(HostFile file, ImageOpener opener) throws IOException {
        throw new UnsupportedImageException("vmdk", "this image format (reader not written yet)");
    }

    @Override public String format() { return "vmdk"; }
    @Override public List<ChainLink> chain() { return List.of(); }
    @Override public long size() { return 0; }
    @Override public int read(long offset, ByteBuffer dst) { return 0; }
    @Override public List<Run> map(long offset, long length) { return List.of(); }
    @Override public String describe() { return "vmdk"; }
    @Override public void close() {}
}
