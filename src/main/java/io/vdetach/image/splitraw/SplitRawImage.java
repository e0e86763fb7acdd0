package io.vdetach.image.splitraw;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.Located;
import io.vdetach.image.NamingField;
import io.vdetach.image.raw.RawImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A raw disk cut into parts ({@code split -b}, or a tool writing {@code disk.001}, {@code disk.002} …):
 * the parts laid end to end. Raw has no signature, so this is what a file is when no format
 * claims it: the parts are found by name from the first one (the only format found by name),
 * and a file whose name is no first part, or whose next part does not exist, is plain raw.
 */
public final class SplitRawImage implements DiskImage {
    /** Claims nothing by content: the fallback for files no format recognises. */
    public static final ImageFormat FORMAT = new ImageFormat("raw", s -> Confidence.NONE, SplitRawImage::open);

    private final List<HostFile> parts;
    private final long[] starts;
    private final long size;

    private SplitRawImage(List<HostFile> parts) {
        this.parts = parts;
        this.starts = new long[parts.size()];
        long pos = 0;
        for (int i = 0; i < parts.size(); i++) {
            starts[i] = pos;
            pos = Math.addExact(pos, parts.get(i).size());
        }
        this.size = pos;
    }

    /** The set whose first part is {@code file}, or {@code file} as plain raw when it starts none. */
    public static DiskImage open(HostFile file, ImageOpener opener) throws IOException {
        if (file.whole() != null) return new RawImage(file); // a member of an archive: parts are files, not members
        String name = file.path().getFileName().toString();
        for (PartNames names : PartNames.of(name)) {
            Located second = locate(file, opener, names, 1);
            if (!exists(second)) {
                if (names.max() > 2 && exists(locate(file, opener, names, 2))) second.orThrow(); // the second part of a set is gone
                continue;
            }
            List<HostFile> parts = new ArrayList<>(List.of(file));
            boolean ok = false;
            try {
                for (long i = 1; i < names.max(); i++) {
                    Located next = i == 1 ? second : locate(file, opener, names, i);
                    if (!exists(next)) {
                        // a gap is a missing part, not the end of the set
                        if (i + 1 < names.max() && exists(locate(file, opener, names, i + 1))) next.orThrow();
                        break;
                    }
                    parts.add(HostFile.open(next.orThrow()));
                }
                SplitRawImage img = new SplitRawImage(List.copyOf(parts));
                ok = true;
                return img;
            } finally {
                if (!ok) for (HostFile p : parts) if (p != file) p.close();
            }
        }
        return new RawImage(file);
    }

    private static Located locate(HostFile first, ImageOpener opener, PartNames names, long i) throws IOException {
        return opener.locate(first.path(), names.name(i), new NamingField("split raw", "part " + (i + 1) + " after "
                + first.path().getFileName(), -1));
    }

    private static boolean exists(Located l) {
        return l.usable() || (l.path() != null && Files.exists(l.path(), LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public String format() { return "split raw"; }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return parts.getFirst().path().toString(); }

    @Override
    public List<ChainLink> chain() {
        List<ChainLink> out = new ArrayList<>();
        out.add(new ChainLink(parts.getFirst().path(), "split raw", parts.size() + " parts, " + size + " bytes"));
        for (HostFile p : parts.subList(1, parts.size())) out.add(new ChainLink(p.path(), "split raw part", p.size() + " bytes"));
        return out;
    }

    @Override
    public List<Path> ownFiles() { return parts.stream().map(HostFile::path).toList(); }

    private int partAt(long pos) {
        int i = Arrays.binarySearch(starts, pos);
        if (i < 0) i = -i - 2;
        while (parts.get(i).size() == 0) i++;
        return i;
    }

    @Override
    public List<Run> map(long offset, long length) {
        long end = Math.min(size, offset + length);
        List<Run> out = new ArrayList<>();
        for (long pos = offset; pos < end; ) {
            int i = partAt(pos);
            long stop = Math.min(end, starts[i] + parts.get(i).size());
            ExtentMaps.appendMerging(out, new Run.Mapped(pos, stop - pos, parts.get(i), pos - starts[i]));
            pos = stop;
        }
        return out;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset >= size || !dst.hasRemaining()) return 0;
        int i = partAt(offset);
        int limit = dst.limit();
        dst.limit(dst.position() + (int) Math.min(dst.remaining(), starts[i] + parts.get(i).size() - offset));
        try {
            return parts.get(i).read(offset - starts[i], dst);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public void close() throws IOException {
        IOException err = null;
        for (HostFile p : parts) {
            try {
                p.close();
            } catch (IOException e) {
                if (err == null) err = e;
            }
        }
        if (err != null) throw err;
    }
}
