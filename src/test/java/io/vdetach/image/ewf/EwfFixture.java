package io.vdetach.image.ewf;

import io.vdetach.testkit.Need;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Adler32;

/** E01 sets made by ewfacquire (Debian ewf-tools), and ewfexport's raw expansion as the oracle. */
final class EwfFixture {
    private EwfFixture() {}

    /**
     * {@code ewfacquire} of {@code raw} into {@code dir/name.E01…}, with {@code compression} (none,
     * deflate:fast, deflate:best), {@code sectorsPerChunk} and segments of {@code segmentBytes}; returns the first segment.
     */
    static Path acquire(Path raw, Path dir, String name, String compression, int sectorsPerChunk, String segmentBytes,
            String... extra) {
        Need.tools("ewfacquire");
        List<String> cmd = Sh.list("ewfacquire", "-u", "-q", "-t", dir.resolve(name).toString(), "-c", compression, "-b",
                Integer.toString(sectorsPerChunk), "-S", segmentBytes, "-d", "sha1", "-C", "case-7", "-E", "ev-1", "-D",
                "disk of the suspect", "-e", "examiner Ann", "-N", "notes here");
        cmd.addAll(List.of(extra));
        cmd.add(raw.toString());
        Sh.run(cmd.toArray(String[]::new));
        Path first = dir.resolve(name + ".E01");
        if (!Files.isRegularFile(first)) first = dir.resolve(name + ".e01");
        return first;
    }

    /** {@code ewfexport -f raw}: the media as libewf reads it. */
    static Path export(Path e01, Path out) {
        Need.tools("ewfexport");
        Sh.run("ewfexport", "-u", "-q", "-f", "raw", "-t", out.toString(), e01.toString());
        return out.resolveSibling(out.getFileName() + ".raw");
    }

    static long segments(Path e01) throws IOException {
        String stem = e01.getFileName().toString();
        String prefix = stem.substring(0, stem.length() - 3);
        try (var s = Files.list(e01.getParent())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().length() == stem.length())
                    .count();
        }
    }

    /** Offset of the first section of type {@code type} in segment file {@code f}. */
    static long section(byte[] f, String type) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        for (long at = 13; at + 76 <= f.length; ) {
            String t = new String(f, (int) at, 16, StandardCharsets.ISO_8859_1).replace("\0", "");
            if (t.equals(type)) return at;
            long next = b.getLong((int) at + 16);
            if (next <= at) break;
            at = next;
        }
        throw new AssertionError("no " + type + " section");
    }

    static byte[] descriptor(String type, long next, long size) {
        ByteBuffer d = ByteBuffer.allocate(76).order(ByteOrder.LITTLE_ENDIAN);
        d.put(type.getBytes(StandardCharsets.ISO_8859_1)).putLong(16, next).putLong(24, size);
        d.putInt(72, adler(d.array(), 0, 72));
        return d.array();
    }

    static int adler(byte[] b, int from, int len) {
        Adler32 a = new Adler32();
        a.update(b, from, len);
        return (int) a.getValue();
    }

    /**
     * Puts an error2 section listing {@code first}+{@code count} sectors before the "done" section
     * of the last segment {@code last}, laid out as libyal's description says (ewfinfo then lists it).
     */
    static void addError2(Path last, int first, int count) throws IOException {
        byte[] f = Files.readAllBytes(last);
        int done = (int) section(f, "done");
        int bodyLen = 520 + 8 + 4;
        ByteBuffer body = ByteBuffer.allocate(bodyLen).order(ByteOrder.LITTLE_ENDIAN);
        body.putInt(0, 1).putInt(516, adler(body.array(), 0, 516));
        body.putInt(520, first).putInt(524, count).putInt(528, adler(body.array(), 520, 8));
        int doneAt = done + 76 + bodyLen;
        ByteBuffer out = ByteBuffer.allocate(doneAt + 76);
        out.put(f, 0, done).put(descriptor("error2", doneAt, 76 + bodyLen)).put(body.array()).put(descriptor("done", doneAt, 0));
        Files.write(last, out.array());
    }
}
