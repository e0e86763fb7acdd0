package io.vdetach.image.ewf;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import io.vdetach.image.AcquisitionInfo;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * An Expert Witness (EWF1: E01, SMART s01) image, read-only, from libyal's "Expert Witness
 * Compression Format" description: the media is cut into chunks (64 sectors by default); each
 * chunk is stored zlib-compressed, or as-is followed by its Adler-32. As-is chunks are mapped into
 * their segment file (shared like any run when 4 KiB-aligned); compressed ones are materialised.
 * Sectors the acquiring tool could not read (error2) map as materialised runs whose read fails
 * naming the sectors, so they never pass for data.
 */
public final class EwfImage implements DiskImage {
    public static final ImageFormat FORMAT = new ImageFormat("ewf", s -> Confidence.certainIf(s.head(0, EwfFileHeader.EVF)
            || s.head(0, EwfFileHeader.EVF2) || s.head(0, EwfFileHeader.LVF) || s.head(0, EwfFileHeader.LEF2)), EwfImage::open);

    private final HostFile first;
    private final SegmentSet set;
    private final long size;
    private final int chunkBytes;
    private final long[] tableStarts;
    /** Sectors the acquirer could not read, as sorted, disjoint byte ranges [start, end). */
    private final long[] errorStarts, errorEnds;
    private final BlockCache.Region<int[]> entries;
    private final BlockCache.Region<byte[]> chunks;

    private EwfImage(HostFile first, SegmentSet set, BlockCache cache) {
        this.first = first;
        this.set = set;
        this.chunkBytes = set.volume.chunkBytes();
        this.size = set.volume.mediaBytes();
        this.tableStarts = set.tables.stream().mapToLong(SegmentSet.Table::firstChunk).toArray();
        List<long[]> e = new ArrayList<>(set.errors);
        e.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        long bps = set.volume.bytesPerSector();
        for (long[] r : e) {
            long s = r[0] * bps, t = (r[0] + r[1]) * bps;
            if (!merged.isEmpty() && s <= merged.getLast()[1]) merged.getLast()[1] = Math.max(merged.getLast()[1], t);
            else merged.add(new long[] {s, t});
        }
        this.errorStarts = merged.stream().mapToLong(r -> r[0]).toArray();
        this.errorEnds = merged.stream().mapToLong(r -> r[1]).toArray();
        this.entries = cache.region("ewf chunk tables of " + first.path(), t -> 4L * t.length);
        this.chunks = cache.region("ewf chunks of " + first.path(), c -> c.length);
    }

    public static EwfImage open(HostFile file, ImageOpener opener) throws IOException {
        return new EwfImage(file, SegmentSet.read(file, opener), opener.cache());
    }

    @Override
    public String format() { return "ewf"; }

    @Override
    public long size() { return size; }

    @Override
    public String describe() { return first.path().toString(); }

    @Override
    public List<ChainLink> chain() {
        List<ChainLink> out = new ArrayList<>();
        out.add(new ChainLink(first.path(), "ewf", set.volume.describe() + ", " + set.files.size()
                + (set.files.size() == 1 ? " segment" : " segments")));
        for (HostFile f : set.files.subList(1, set.files.size())) {
            out.add(new ChainLink(f.path(), "ewf segment", f.size() + " bytes"));
        }
        return out;
    }

    @Override
    public List<Path> ownFiles() { return set.files.stream().map(HostFile::path).toList(); }

    @Override
    public List<String> warnings() {
        List<String> w = new ArrayList<>(set.warnings);
        if (errorStarts.length > 0) {
            w.add(first.path() + ": the acquiring tool could not read " + errorText() + "; reading them fails (what the image"
                    + " stores there is a filler, not the media's data)");
        }
        return w;
    }

    @Override
    public Optional<AcquisitionInfo> acquisition() {
        List<String> errs = new ArrayList<>();
        long bps = set.volume.bytesPerSector();
        for (int i = 0; i < errorStarts.length; i++) {
            errs.add(errorStarts[i] / bps + "-" + (errorEnds[i] / bps - 1) + " (" + (errorEnds[i] - errorStarts[i]) / bps + " sectors)");
        }
        return Optional.of(new AcquisitionInfo(Collections.unmodifiableMap(set.caseData),
                Collections.unmodifiableMap(set.hashes), List.copyOf(errs), new StoredMedia()));
    }

    private String errorText() {
        StringBuilder b = new StringBuilder("sectors ");
        long bps = set.volume.bytesPerSector();
        for (int i = 0; i < errorStarts.length && i < 8; i++) {
            if (i > 0) b.append(", ");
            b.append(errorStarts[i] / bps).append('-').append(errorEnds[i] / bps - 1);
        }
        if (errorStarts.length > 8) b.append(" and ").append(errorStarts.length - 8).append(" more ranges");
        return b.toString();
    }

    // ---- where each chunk is

    /** Chunk {@code k} as stored: its file, offset, whether compressed, how far its bytes may reach, its media length. */
    private record Chunk(HostFile file, long offset, boolean compressed, long limit, int length) {}

    private Chunk chunk(long k) throws IOException {
        int ti = java.util.Arrays.binarySearch(tableStarts, k);
        if (ti < 0) ti = -ti - 2;
        SegmentSet.Table t = set.tables.get(ti);
        TableSection s = t.section();
        int[] e = entries.get(ti, x -> s.read());
        int i = (int) (k - t.firstChunk());
        long off = s.base() + (e[i] & 0x7fffffffL);
        long limit = s.dataEnd();
        if (i + 1 < e.length) {
            long next = s.base() + (e[i + 1] & 0x7fffffffL);
            if (next > off && next < limit) limit = next;
        }
        int length = (int) Math.min(chunkBytes, size - k * chunkBytes);
        boolean compressed = e[i] < 0;
        if (off < s.dataStart() || off >= limit || (!compressed && off + length + 4 > limit)) {
            throw new CorruptImageException("ewf", "table entry " + i, s.entriesAt() + 4L * i, s.file().path() + ": chunk " + k
                    + " at " + off + " lies outside its chunk data (" + s.dataStart() + " to " + limit + ")");
        }
        return new Chunk(s.file(), off, compressed, limit, length);
    }

    /** The index of the first error range ending after {@code pos}. */
    private int errorAfter(long pos) {
        int i = java.util.Arrays.binarySearch(errorEnds, pos);
        return i < 0 ? -i - 1 : i + 1;
    }

    @Override
    public List<Run> map(long offset, long length) throws IOException {
        long end = Math.min(size, offset + length);
        if (offset < 0 || end <= offset) return List.of();
        List<Run> out = new ArrayList<>();
        for (long pos = offset; pos < end; ) {
            long k = pos / chunkBytes;
            long stop = Math.min(end, (k + 1) * chunkBytes);
            int e = errorAfter(pos);
            if (e < errorStarts.length && errorStarts[e] <= pos) {
                stop = Math.min(end, errorEnds[e]);
                ExtentMaps.appendMerging(out, new Run.Materialise(pos, stop - pos, "ewf acquisition read error (error2)"));
            } else {
                if (e < errorStarts.length) stop = Math.min(stop, errorStarts[e]);
                Chunk c = chunk(k);
                ExtentMaps.appendMerging(out, c.compressed()
                        ? new Run.Materialise(pos, stop - pos, "compressed ewf chunk (deflate)")
                        : new Run.Mapped(pos, stop - pos, c.file(), c.offset() + (pos - k * chunkBytes)));
            }
            pos = stop;
        }
        return out;
    }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException {
        return read(offset, dst, true);
    }

    private int read(long offset, ByteBuffer dst, boolean refuseErrors) throws IOException {
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        if (offset >= size || !dst.hasRemaining()) return 0;
        int want = (int) Math.min(dst.remaining(), size - offset);
        int e = errorAfter(offset);
        if (refuseErrors && e < errorStarts.length && errorStarts[e] < offset + want) {
            long bps = set.volume.bytesPerSector();
            throw new CorruptImageException("ewf", "error2 section", set.error2.at(), set.error2File.path() + ": sectors "
                    + errorStarts[e] / bps + "-" + (errorEnds[e] / bps - 1) + " could not be read by the acquiring tool;"
                    + " the image holds a filler there, not the media's data");
        }
        int done = 0;
        while (done < want) {
            long pos = offset + done;
            long k = pos / chunkBytes;
            byte[] c = chunks.get(k, this::decode);
            int at = (int) (pos - k * chunkBytes);
            int n = Math.min(want - done, c.length - at);
            dst.put(c, at, n);
            done += n;
        }
        return done;
    }

    /** Chunk {@code k}'s media bytes: inflated, or as stored with its Adler-32 checked. */
    private byte[] decode(long k) throws IOException {
        Chunk c = chunk(k);
        String name = c.file().path().toString();
        if (!c.compressed()) {
            ByteBuffer b = c.file().readBytes(c.offset(), c.length() + 4).order(ByteOrder.LITTLE_ENDIAN);
            Adler32 sum = new Adler32();
            sum.update(b.array(), 0, c.length());
            if ((int) sum.getValue() != b.getInt(c.length())) {
                throw new CorruptImageException("ewf", "chunk " + k + " checksum", c.offset() + c.length(), name
                        + ": chunk " + k + " fails its Adler-32 (the stored data was altered or damaged)");
            }
            return java.util.Arrays.copyOf(b.array(), c.length());
        }
        // deflate grows incompressible data by a few bytes per 16 KiB block; more than this is not a chunk
        long stored = Math.min(c.limit() - c.offset(), chunkBytes + chunkBytes / 8 + 1024);
        byte[] in = c.file().readBytes(c.offset(), (int) stored).array();
        byte[] out = new byte[c.length()];
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            int n = 0;
            while (n < out.length) {
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) break;
                n += got;
            }
            if (n < out.length) {
                throw new CorruptImageException("ewf", "chunk " + k, c.offset(), name + ": compressed chunk " + k + " inflates to "
                        + n + " of " + out.length + " bytes");
            }
        } catch (DataFormatException ex) {
            throw new CorruptImageException("ewf", "chunk " + k, c.offset(), name + ": bad zlib data in chunk " + k + ": "
                    + ex.getMessage());
        } finally {
            inf.end();
        }
        return out;
    }

    /** The media as stored, filler included: what the acquirer hashed. */
    private final class StoredMedia implements Layer {
        @Override public long size() { return size; }

        @Override public int read(long offset, ByteBuffer dst) throws IOException { return EwfImage.this.read(offset, dst, false); }

        @Override public List<Run> map(long offset, long length) throws IOException { return EwfImage.this.map(offset, length); }

        @Override public String describe() { return first.path() + " (media as stored)"; }
    }

    @Override
    public void close() throws IOException {
        IOException err = null;
        for (HostFile f : set.files) {
            try {
                f.close();
            } catch (IOException e) {
                if (err == null) err = e;
            }
        }
        entries.clear();
        chunks.clear();
        if (err != null) throw err;
    }
}
