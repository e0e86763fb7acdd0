package io.vdetach.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.vdetach.extent.ExtentMaps;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.extent.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Checks of a disk image reader against qemu-img: whole-disk hash, map consistency, share ratio. */
public final class ImageCheck {
    private ImageCheck() {}

    /** SHA-256 of the whole layer, read in 1 MiB pieces through {@link Layer#read}. */
    public static String sha256(Layer layer) throws IOException {
        return sha256(layer, 1 << 20);
    }

    /** SHA-256 of the whole layer, read in pieces of {@code chunk} bytes (odd sizes cross every boundary). */
    public static String sha256(Layer layer, int chunk) throws IOException {
        MessageDigest md = sha();
        ByteBuffer b = ByteBuffer.allocate(chunk);
        for (long pos = 0; pos < layer.size(); ) {
            b.clear().limit((int) Math.min(b.capacity(), layer.size() - pos));
            layer.readFully(pos, b);
            b.flip();
            md.update(b);
            pos += b.limit();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(Path file) throws IOException {
        try (HostFile f = HostFile.open(file)) {
            return sha256(f);
        }
    }

    /** {@code qemu-img convert -O raw image out}, returning {@code out}. */
    public static Path qemuRaw(Path image, Path out) {
        Sh.run("qemu-img", "convert", "-O", "raw", image.toString(), out.toString());
        return out;
    }

    /**
     * Every run of {@code img}'s map, composed down to host files, agrees with the oracle raw
     * disk: mapped bytes equal the guest bytes, holes are zeros, materialised runs read right.
     */
    public static void assertMapConsistent(Layer img, Path oracleRaw) throws IOException {
        List<Run> runs = ExtentMaps.toHostFiles(img, 0, img.size());
        try (FileChannel oracle = FileChannel.open(oracleRaw)) {
            assertThat(oracle.size()).isEqualTo(img.size());
            long pos = 0;
            for (Run r : runs) {
                assertThat(r.start()).as("runs contiguous").isEqualTo(pos);
                for (long off = 0; off < r.length(); off += 1 << 20) {
                    int n = (int) Math.min(1 << 20, r.length() - off);
                    ByteBuffer want = ByteBuffer.allocate(n);
                    oracle.read(want, r.start() + off);
                    want.flip();
                    ByteBuffer got = ByteBuffer.allocate(n);
                    switch (r) {
                        case Run.Mapped m -> {
                            assertThat(m.target()).isInstanceOf(HostFile.class);
                            m.target().readFully(m.offset() + off, got);
                        }
                        case Run.Hole h -> { }
                        case Run.Materialise mat -> img.readFully(r.start() + off, got);
                    }
                    got.clear();
                    if (!got.equals(want)) {
                        throw new AssertionError("guest bytes at " + (r.start() + off) + " differ from " + r);
                    }
                }
                pos = r.end();
            }
            assertThat(pos).isEqualTo(img.size());
        }
    }

    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\\{ *\"start\": (\\d+), \"length\": (\\d+), \"depth\": (\\d+),(?: \"present\": \\w+,)? \"zero\": (\\w+), \"data\": (\\w+)"
            + "(?:, \"offset\": (\\d+))?");

    /** One entry of {@code qemu-img map --output=json}. */
    public record QemuMapEntry(long start, long length, int depth, boolean zero, boolean data, Long offset) {}

    public static List<QemuMapEntry> qemuMap(Path image) {
        String json = Sh.run("qemu-img", "map", "--output=json", image.toString());
        List<QemuMapEntry> out = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(json);
        while (m.find()) {
            out.add(new QemuMapEntry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                    Boolean.parseBoolean(m.group(4)), Boolean.parseBoolean(m.group(5)),
                    m.group(6) == null ? null : Long.parseLong(m.group(6))));
        }
        assertThat(out).as("parsed qemu-img map of " + image).isNotEmpty();
        return out;
    }

    /**
     * Where qemu-img map says data lies at an offset of {@code file} (depth 0, data), our map
     * says the same: Mapped onto that file at that offset.
     */
    public static void assertSameDataOffsets(Layer img, Path image, Path file) throws IOException {
        long checked = 0;
        for (QemuMapEntry e : qemuMap(image)) {
            if (!e.data() || e.offset() == null || e.depth() != 0) continue;
            long pos = e.start();
            for (Run r : ExtentMaps.toHostFiles(img, e.start(), e.length())) {
                assertThat(r).as("qemu says data at " + e).isInstanceOf(Run.Mapped.class);
                Run.Mapped m = (Run.Mapped) r;
                assertThat(((HostFile) m.target()).path()).isEqualTo(file.toRealPath());
                assertThat(m.offset()).as("host offset of guest " + r.start()).isEqualTo(e.offset() + (r.start() - e.start()));
                pos = r.end();
            }
            assertThat(pos).isEqualTo(e.start() + e.length());
            checked += e.length();
        }
        assertThat(checked).as("bytes compared with qemu-img map").isPositive();
    }

    /**
     * Share ratio: of the guest bytes that are not holes, the fraction lying in 4 KiB guest
     * blocks that map whole onto a 4 KiB-aligned host offset.
     */
    public static double shareRatio(Layer img) throws IOException {
        long data = 0, shareable = 0;
        for (Run r : ExtentMaps.toHostFiles(img, 0, img.size())) {
            if (r instanceof Run.Hole) continue;
            data += r.length();
            if (r instanceof Run.Mapped m) {
                long first = (r.start() + 4095) & ~4095L;
                long last = r.end() & ~4095L;
                if (last > first && (m.offset() + (first - r.start())) % 4096 == 0) shareable += last - first;
            }
        }
        return data == 0 ? 1.0 : (double) shareable / data;
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static long fileSize(Path p) throws IOException { return Files.size(p); }
}
