package io.vdetach.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A file as a fuzzer input: its size, then chunks of bytes at offsets, zeros elsewhere. Disk images
 * are mostly zeros with their metadata far apart (a VHDX's regions are 1 MiB apart), so this keeps
 * an input a few KiB while the file it stands for is megabytes, and libFuzzer's byte mutations land
 * on the metadata instead of on zeros.
 *
 * <pre>
 * u32 size (little-endian; capped by the target)
 * repeated: u32 offset, u16 length, length bytes   (clipped to the size; later chunks win)
 * </pre>
 */
public final class SparseFile {
    private SparseFile() {}

    /** Chunks closer than this are one chunk: the header of a chunk costs six bytes. */
    private static final int JOIN_GAP = 32;

    /** Writes the input standing for file {@code args[0]} to {@code args[1]} (bench/fuzz-seeds.sh makes seeds with it). */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[1]), encode(Files.readAllBytes(Path.of(args[0]))));
    }

    /** The file {@code input} stands for, at most {@code maxSize} bytes. */
    public static byte[] decode(byte[] input, int maxSize) {
        ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 4) return new byte[0];
        int size = (int) Math.min(Integer.toUnsignedLong(in.getInt()), maxSize);
        byte[] file = new byte[size];
        while (in.remaining() >= 6) {
            long offset = Integer.toUnsignedLong(in.getInt());
            int length = Math.min(in.getShort() & 0xffff, in.remaining());
            if (offset < size) in.get(in.position(), file, (int) offset, (int) Math.min(length, size - offset));
            in.position(in.position() + length);
        }
        return file;
    }

    /**
     * Writes {@code file} to {@code path} as a sparse file (its non-zero 4 KiB blocks only): a target
     * whose format opens a second file by name (an extent, a segment) needs that file on disk.
     */
    static void write(byte[] file, Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int at = 0; at < file.length; at += 4096) {
                int end = Math.min(file.length, at + 4096);
                if (!Arrays.equals(file, at, end, ZEROS, 0, end - at) || end == file.length) {
                    ch.write(ByteBuffer.wrap(file, at, end - at), at);
                }
            }
        }
    }

    private static final byte[] ZEROS = new byte[4096];

    /** The input that decodes to {@code file}: its non-zero stretches as chunks. */
    public static byte[] encode(byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(file.length).array(), 0, 4);
        chunks(0, file, out);
        return out.toByteArray();
    }

    /** Appends the non-zero stretches of {@code bytes}, which lie at {@code base} of the file, as chunks. */
    static void chunks(long base, byte[] bytes, ByteArrayOutputStream out) {
        ByteBuffer word = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        while (i < bytes.length) {
            if (bytes[i] == 0) {
                i++;
                continue;
            }
            int start = i;
            int lastNonZero = i;
            while (i < bytes.length && i - start < 0xffff && i - lastNonZero <= JOIN_GAP) {
                if (bytes[i] != 0) lastNonZero = i;
                i++;
            }
            int end = lastNonZero + 1;
            out.write(word.clear().putInt((int) (base + start)).putShort((short) (end - start)).array(), 0, 6);
            out.write(bytes, start, end - start);
            i = end;
        }
    }
}
