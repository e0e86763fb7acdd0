package io.vdetach.evidence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a POSIX pax archive (IEEE 1003.1-2017, "pax Interchange Format") that GNU tar and
 * bsdtar extract exactly: nanosecond times, numeric owners, any name bytes (pax {@code path} and
 * {@code linkpath}, {@code hdrcharset=BINARY} where they are not UTF-8), xattrs as
 * {@code SCHILY.xattr.*}, hard links, symlinks, devices and fifos, and sparse files in GNU's
 * pax format 1.0 (GNU tar manual, "Storing Sparse Files"). One member at a time, streamed: the
 * caller writes a file's data regions in order after {@link #file}.
 */
public final class TarWriter implements AutoCloseable {
    static final int BLOCK = 512;
    /** GNU tar's default record: 20 blocks; the archive is padded to a whole record. */
    private static final int RECORD = 20 * BLOCK;
    /** Largest value the 12-byte octal size field holds; larger sizes go into the pax header. */
    private static final long MAX_OCTAL_SIZE = 077777777777L;
    /** Largest value the 8-byte octal uid, gid, mode and device fields hold. */
    private static final long MAX_OCTAL_ID = 07777777L;

    /** Typeflags (ustar). */
    private static final byte REGULAR = '0', HARDLINK = '1', SYMLINK = '2', CHAR = '3', BLOCK_DEV = '4', DIRECTORY = '5',
            FIFO = '6', PAX = 'x';

    private final WritableByteChannel out;
    private long written;
    private FileBody open;

    public TarWriter(WritableByteChannel out) {
        this.out = out;
    }

    /** Bytes written to the archive so far. */
    public long bytesWritten() { return written; }

    public void directory(TarEntry e) throws IOException {
        member(e, DIRECTORY, withSlash(e.path()), null, 0, 0, 0, List.of());
    }

    public void symlink(TarEntry e, byte[] target) throws IOException {
        member(e, SYMLINK, e.path(), target, 0, 0, 0, List.of());
    }

    /** A second name of a file already in the archive under {@code firstPath}. */
    public void hardLink(TarEntry e, byte[] firstPath) throws IOException {
        member(e, HARDLINK, e.path(), firstPath, 0, 0, 0, List.of());
    }

    public void characterDevice(TarEntry e, long major, long minor) throws IOException {
        member(e, CHAR, e.path(), null, 0, major, minor, List.of());
    }

    public void blockDevice(TarEntry e, long major, long minor) throws IOException {
        member(e, BLOCK_DEV, e.path(), null, 0, major, minor, List.of());
    }

    public void fifo(TarEntry e) throws IOException {
        member(e, FIFO, e.path(), null, 0, 0, 0, List.of());
    }

    /** Where a file holds data; everything else of its {@code size} bytes is a hole. */
    public record Region(long offset, long length) {}

    /**
     * Starts a regular file of {@code size} bytes whose data lies in {@code regions} (in order,
     * not overlapping; one region [0, size) for a file without holes). Write exactly the regions'
     * bytes, in order, into the returned body, then close it.
     */
    public FileBody file(TarEntry e, long size, List<Region> regions) throws IOException {
        if (open != null) throw new IllegalStateException("the previous file's data is not complete");
        long data = 0;
        long end = 0;
        for (Region r : regions) {
            if (r.offset() < end || r.length() < 0 || r.offset() + r.length() > size) {
                throw new IllegalArgumentException("regions out of order or past the size: " + regions);
            }
            end = r.offset() + r.length();
            data += r.length();
        }
        if (data == size) {
            member(e, REGULAR, e.path(), null, size, 0, 0, List.of());
            return open = new FileBody(List.of(new Region(0, size)), List.of(new Region(0, size)));
        }
        // GNU tar reads each stored region in whole blocks: regions are widened to block
        // boundaries, the widening filled with the zeros the holes read as
        List<Region> stored = blockAligned(regions, size);
        long storedBytes = 0;
        for (Region r : stored) storedBytes += r.length();
        byte[] map = sparseMap(size, stored);
        List<byte[]> extra = List.of(record("GNU.sparse.major", "1"), record("GNU.sparse.minor", "0"),
                record("GNU.sparse.name", e.path()), record("GNU.sparse.realsize", Long.toString(size)));
        member(e, REGULAR, sparseName(e.path()), null, map.length + storedBytes, 0, 0, extra);
        write(ByteBuffer.wrap(map));
        return open = new FileBody(regions, stored);
    }

    /** Regions widened to whole blocks (the last one may end at the size) and merged where they then meet. */
    private static List<Region> blockAligned(List<Region> regions, long size) {
        List<Region> out = new ArrayList<>();
        for (Region r : regions) {
            if (r.length() == 0) continue;
            long start = r.offset() / BLOCK * BLOCK;
            long end = Math.min(size, (r.offset() + r.length() + BLOCK - 1) / BLOCK * BLOCK);
            if (!out.isEmpty() && out.getLast().offset() + out.getLast().length() >= start) {
                Region last = out.removeLast();
                start = last.offset();
            }
            out.add(new Region(start, end - start));
        }
        return out;
    }

    /**
     * A file's data being written: exactly the caller's region bytes, in order, then
     * {@link #close()}. Where the stored regions are wider, zeros are written around them here.
     */
    public final class FileBody implements AutoCloseable {
        private final List<Region> given;
        private final List<Region> stored;
        private int region;         // index into given of the region being filled
        private long inRegion;      // bytes of it already written
        private int storedIndex;    // index into stored of the region being written
        private long emitted;       // file offset up to which stored bytes have been written

        private FileBody(List<Region> given, List<Region> stored) {
            this.given = given;
            this.stored = stored;
            this.emitted = stored.isEmpty() ? 0 : stored.getFirst().offset();
        }

        public void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                while (region < given.size() && inRegion == given.get(region).length()) {
                    region++;
                    inRegion = 0;
                }
                if (region == given.size()) {
                    throw new IllegalStateException("more data than announced (" + b.remaining() + " bytes too many)");
                }
                Region r = given.get(region);
                long at = r.offset() + inRegion;
                zerosUpTo(at);
                int n = (int) Math.min(b.remaining(), r.length() - inRegion);
                ByteBuffer part = b.slice(b.position(), n);
                TarWriter.this.write(part);
                b.position(b.position() + n);
                inRegion += n;
                emitted = at + n;
            }
        }

        /** Writes the zeros between what was written and file offset {@code at}, crossing into the next stored region if needed. */
        private void zerosUpTo(long at) throws IOException {
            while (true) {
                Region s = stored.get(storedIndex);
                long end = s.offset() + s.length();
                if (at < end) {
                    zeros(at - emitted);
                    emitted = at;
                    return;
                }
                zeros(end - emitted);
                storedIndex++;
                emitted = stored.get(storedIndex).offset();
            }
        }

        private void zeros(long n) throws IOException {
            for (long left = n; left > 0; ) {
                int k = (int) Math.min(left, 1 << 16);
                TarWriter.this.write(ByteBuffer.allocate(k));
                left -= k;
            }
        }

        /** Pads the data to a whole block; fails when fewer bytes came than announced. */
        @Override
        public void close() throws IOException {
            long got = 0, want = 0;
            for (int i = 0; i < given.size(); i++) {
                want += given.get(i).length();
                if (i < region) got += given.get(i).length();
            }
            if (region < given.size()) got += inRegion;
            if (got != want) throw new IllegalStateException("data ended after " + got + " of " + want + " bytes");
            if (!stored.isEmpty()) {
                Region last = stored.getLast();
                while (storedIndex < stored.size() - 1) {
                    Region s = stored.get(storedIndex);
                    zeros(s.offset() + s.length() - emitted);
                    storedIndex++;
                    emitted = stored.get(storedIndex).offset();
                }
                zeros(last.offset() + last.length() - emitted);
            }
            pad();
            open = null;
        }
    }

    /** Two zero blocks end the archive; then it is padded to a whole record. */
    @Override
    public void close() throws IOException {
        if (open != null) throw new IllegalStateException("a file's data is not complete");
        write(ByteBuffer.allocate(2 * BLOCK));
        long rest = (RECORD - written % RECORD) % RECORD;
        write(ByteBuffer.allocate((int) rest));
    }

    private void member(TarEntry e, byte type, byte[] name, byte[] link, long size, long major, long minor,
                        List<byte[]> extra) throws IOException {
        if (open != null) throw new IllegalStateException("the previous file's data is not complete");
        List<byte[]> pax = new ArrayList<>(extra);
        boolean binary = !NameText.isUtf8(name) || (link != null && !NameText.isUtf8(link));
        if (binary) pax.add(record("hdrcharset", "BINARY"));
        if (name.length > 100 || !ascii(name)) pax.add(record("path", name));
        if (link != null && (link.length > 100 || !ascii(link))) pax.add(record("linkpath", link));
        if (size > MAX_OCTAL_SIZE) pax.add(record("size", Long.toString(size)));
        if (e.uid() > MAX_OCTAL_ID || e.uid() < 0) pax.add(record("uid", Long.toString(e.uid())));
        if (e.gid() > MAX_OCTAL_ID || e.gid() < 0) pax.add(record("gid", Long.toString(e.gid())));
        pax.add(record("mtime", paxTime(e.mtime())));
        if (e.atime() != null) pax.add(record("atime", paxTime(e.atime())));
        if (e.ctime() != null) pax.add(record("ctime", paxTime(e.ctime())));
        for (var x : e.xattrs()) pax.add(record("SCHILY.xattr." + x.name(), x.value()));
        if (!pax.isEmpty()) {
            int len = 0;
            for (byte[] r : pax) len += r.length;
            ByteBuffer body = ByteBuffer.allocate(len);
            for (byte[] r : pax) body.put(r);
            write(header(ascii("PaxHeaders/" + safeTail(name)), PAX, null, len, 0644, 0, 0, e.mtime(), 0, 0));
            write(body.flip());
            pad();
        }
        write(header(name, type, link, size, e.mode(), e.uid(), e.gid(), e.mtime(), major, minor));
    }

    /** A 512-byte ustar header; fields that do not fit were given in the pax header and are cut or zero here. */
    private static ByteBuffer header(byte[] name, byte type, byte[] link, long size, int mode, long uid, long gid,
                                     Instant mtime, long major, long minor) {
        byte[] h = new byte[BLOCK];
        byte[] prefix = new byte[0];
        byte[] shortName = name;
        if (name.length > 100 && ascii(name)) {
            // ustar splits at a '/' into prefix (155) and name (100) where it can
            int cut = splitPoint(name);
            if (cut > 0) {
                prefix = java.util.Arrays.copyOf(name, cut);
                shortName = java.util.Arrays.copyOfRange(name, cut + 1, name.length);
            }
        }
        put(h, 0, 100, asciiOrPlaceholder(shortName));
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, uid >= 0 && uid <= MAX_OCTAL_ID ? uid : 0);
        octal(h, 116, 8, gid >= 0 && gid <= MAX_OCTAL_ID ? gid : 0);
        octal(h, 124, 12, size <= MAX_OCTAL_SIZE ? size : 0);
        long secs = mtime.getEpochSecond();
        octal(h, 136, 12, secs >= 0 && secs <= 077777777777L ? secs : 0);
        h[156] = type;
        if (link != null) put(h, 157, 100, asciiOrPlaceholder(link));
        put(h, 257, 6, ascii("ustar"));
        h[263] = '0';
        h[264] = '0';
        if (type == CHAR || type == BLOCK_DEV) {
            octal(h, 329, 8, major <= MAX_OCTAL_ID ? major : 0);
            octal(h, 337, 8, minor <= MAX_OCTAL_ID ? minor : 0);
        }
        put(h, 345, 155, prefix);
        // checksum: the header's bytes summed with the checksum field read as spaces
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        byte[] c = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(c, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return ByteBuffer.wrap(h);
    }

    /** Where an ASCII path longer than 100 bytes can be split into ustar's prefix and name, or -1. */
    private static int splitPoint(byte[] name) {
        for (int i = Math.min(155, name.length - 1); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return i;
        }
        return -1;
    }

    /** The ustar name field of a path the pax header carries: cut to 100 bytes, non-ASCII bytes as '_'. */
    private static byte[] asciiOrPlaceholder(byte[] name) {
        byte[] out = java.util.Arrays.copyOf(name, Math.min(100, name.length));
        for (int i = 0; i < out.length; i++) if (out[i] < 0x20 || out[i] > 0x7e) out[i] = '_';
        return out;
    }

    /** The last bytes of a name, ASCII-safe, for the pax header's own (informative) name. */
    private static String safeTail(byte[] name) {
        byte[] t = asciiOrPlaceholder(java.util.Arrays.copyOfRange(name, Math.max(0, name.length - 80), name.length));
        String s = new String(t, StandardCharsets.US_ASCII);
        int slash = s.lastIndexOf('/');
        return slash >= 0 && slash < s.length() - 1 ? s.substring(slash + 1) : s.replace('/', '_');
    }

    /** The member name of a sparse file's data (GNU: dir/GNUSparseFile.0/base); the real name is GNU.sparse.name. */
    private static byte[] sparseName(byte[] path) {
        int slash = -1;
        for (int i = path.length - 1; i >= 0; i--) if (path[i] == '/') { slash = i; break; }
        byte[] dir = slash < 0 ? new byte[0] : java.util.Arrays.copyOf(path, slash + 1);
        byte[] base = java.util.Arrays.copyOfRange(path, slash + 1, path.length);
        byte[] mid = ascii("GNUSparseFile.0/");
        byte[] out = new byte[dir.length + mid.length + base.length];
        System.arraycopy(dir, 0, out, 0, dir.length);
        System.arraycopy(mid, 0, out, dir.length, mid.length);
        System.arraycopy(base, 0, out, dir.length + mid.length, base.length);
        return out;
    }

    /**
     * The sparse map that starts a format-1.0 sparse member's data: the number of regions, then
     * offset and length of each, every number on its own line, padded to a block. A file that ends
     * in a hole gets a last region of length 0 at its size, as GNU tar writes it.
     */
    private static byte[] sparseMap(long size, List<Region> regions) {
        List<Region> all = new ArrayList<>(regions);
        if (all.isEmpty() || all.getLast().offset() + all.getLast().length() < size) all.add(new Region(size, 0));
        StringBuilder b = new StringBuilder().append(all.size()).append('\n');
        for (Region r : all) b.append(r.offset()).append('\n').append(r.length()).append('\n');
        byte[] text = b.toString().getBytes(StandardCharsets.US_ASCII);
        int padded = (text.length + BLOCK - 1) / BLOCK * BLOCK;
        return java.util.Arrays.copyOf(text, padded);
    }

    private static String paxTime(Instant t) {
        long s = t.getEpochSecond();
        int n = t.getNano();
        if (n == 0) return Long.toString(s);
        if (s < 0) {
            long whole = s + 1;
            return (whole == 0 ? "-0" : Long.toString(whole)) + "." + String.format("%09d", 1_000_000_000 - n);
        }
        return s + "." + String.format("%09d", n);
    }

    /** One pax record: "LEN key=value\n", LEN counting the whole record including its own digits. */
    static byte[] record(String key, String value) {
        return record(key, value.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] record(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int rest = 1 + k.length + 1 + value.length + 1; // ' ' key '=' value '\n'
        int len = rest + 1;
        while (Integer.toString(len).length() + rest != len) len = Integer.toString(len).length() + rest;
        byte[] digits = ascii(Integer.toString(len));
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(digits).put((byte) ' ').put(k).put((byte) '=').put(value).put((byte) '\n');
        return b.array();
    }

    private void pad() throws IOException {
        int rest = (int) ((BLOCK - written % BLOCK) % BLOCK);
        if (rest > 0) write(ByteBuffer.allocate(rest));
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) written += out.write(b);
    }

    private static void octal(byte[] h, int at, int width, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > width - 1) throw new IllegalArgumentException("value " + v + " does not fit " + width + " octal bytes");
        String padded = "0".repeat(width - 1 - s.length()) + s;
        System.arraycopy(ascii(padded), 0, h, at, width - 1);
        h[at + width - 1] = 0;
    }

    private static void put(byte[] h, int at, int width, byte[] v) {
        System.arraycopy(v, 0, h, at, Math.min(width, v.length));
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) if (x < 0x20 || x > 0x7e) return false;
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] withSlash(byte[] p) {
        if (p.length > 0 && p[p.length - 1] == '/') return p;
        byte[] out = java.util.Arrays.copyOf(p, p.length + 1);
        out[p.length] = '/';
        return out;
    }
}
