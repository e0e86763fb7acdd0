package io.vdetach.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several files as one fuzzer input (the segment files of an E01 set): libFuzzer mutates one byte
 * string, and a mutation must be able to reach any segment's metadata.
 *
 * <pre>
 * u8 count (1..{@link #MAX_FILES}), count x u32 size (little-endian; each capped by the target)
 * then {@link SparseFile}'s chunks (u32 offset, u16 length, bytes) over the files laid end to end
 * </pre>
 */
final class FileSet {
    private FileSet() {}

    static final int MAX_FILES = 8;

    /** Writes the input standing for files {@code args[1..]} to {@code args[0]} (bench/fuzz-seeds-volumes.sh). */
    public static void main(String[] args) throws IOException {
        List<byte[]> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) files.add(Files.readAllBytes(Path.of(args[i])));
        Files.write(Path.of(args[0]), encode(files));
    }

    static List<byte[]> decode(byte[] input, int maxEach) {
        ByteBuffer in = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        if (!in.hasRemaining()) return List.of(new byte[0]);
        int count = Math.clamp(in.get() & 0xff, 1, MAX_FILES);
        int[] sizes = new int[count];
        long total = 0;
        for (int i = 0; i < count && in.remaining() >= 4; i++) {
            sizes[i] = (int) Math.min(Integer.toUnsignedLong(in.getInt()), maxEach);
            total += sizes[i];
        }
        byte[] chunks = new byte[4 + in.remaining()];
        ByteBuffer.wrap(chunks).order(ByteOrder.LITTLE_ENDIAN).putInt((int) total).put(in);
        byte[] all = SparseFile.decode(chunks, (int) total);
        List<byte[]> files = new ArrayList<>(count);
        int at = 0;
        for (int size : sizes) {
            files.add(Arrays.copyOfRange(all, at, at + size));
            at += size;
        }
        return files;
    }

    static byte[] encode(List<byte[]> files) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(1 + 4 * files.size()).order(ByteOrder.LITTLE_ENDIAN).put((byte) files.size());
        for (byte[] f : files) {
            head.putInt(f.length);
            all.writeBytes(f);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.array());
        SparseFile.chunks(0, all.toByteArray(), out);
        return out.toByteArray();
    }
}
