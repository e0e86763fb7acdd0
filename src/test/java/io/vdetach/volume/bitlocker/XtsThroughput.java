package io.vdetach.volume.bitlocker;

import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.image.raw.RawImage;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pieces of bench/bitlocker-dump.sh measured apart, in CPU time (of this thread; of the process
 * for the volume reads, which may use a helper thread), as the machine is shared and wall time says little: the XTS sector cipher alone over 1 MiB in memory, the raw
 * volume read into a 1 MiB buffer (page cache), and the decrypted volume layer read the same way.
 *
 * <p>Usage: {@code XtsThroughput IMAGE PASSWORD [ROUNDS]} (IMAGE: the bench volume)
 */
public final class XtsThroughput {
    private XtsThroughput() {}

    /** This thread's CPU time in ns (user + sys: the first field of schedstat). */
    private static long cpu() throws java.io.IOException {
        return Long.parseLong(Files.readString(Path.of("/proc/thread-self/schedstat")).split(" ")[0]);
    }

    /** The whole process's CPU time in ns (user + sys of every thread, in clock ticks of 10 ms). */
    private static long processCpu() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/self/stat")).replaceFirst(".*\\) ", "").split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static void report(String what, long bytes, long cpuNanos, long wallNanos) {
        System.out.printf("%-52s %7.0f MB/s per CPU-second  %7.0f MB/s wall%n", what, bytes / (cpuNanos / 1e3), bytes / (wallNanos / 1e3));
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        byte[] key = new byte[32];
        new SplittableRandom(1).nextBytes(key);
        XtsSectors x = new XtsSectors(key, 512);
        byte[] data = new byte[1 << 20];
        new SplittableRandom(2).nextBytes(data);
        for (int r = 0; r < rounds; r++) {
            for (SectorCipher c : new SectorCipher[] {x}) {
                long c0 = cpu(), w0 = System.nanoTime();
                long bytes = 0;
                for (int i = 0; i < 2048; i++) {
                    c.decrypt((long) i << 20, data, 0, data.length);
                    bytes += data.length;
                }
                report(c.getClass().getSimpleName() + ".decrypt, 1 MiB in memory (heap)", bytes, cpu() - c0, System.nanoTime() - w0);
            }
        }
        javax.crypto.Cipher ecb = Aes.ecb(javax.crypto.Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(key, 16));
        byte[] out = new byte[data.length];
        for (int chunk : new int[] {16 << 10, 1 << 20}) {
            for (int r = 0; r < rounds; r++) {
                long c0 = cpu(), w0 = System.nanoTime();
                for (int i = 0; i < 2048; i++) {
                    for (int o = 0; o < data.length; o += chunk) Aes.run(ecb, data, o, chunk, out, o);
                }
                report("AES/ECB alone, " + (chunk >> 10) + " KiB a call", 2048L << 20, cpu() - c0, System.nanoTime() - w0);
            }
        }
        try (HostFile f = HostFile.open(image)) {
            RawImage raw = new RawImage(f);
            Layer plain = BitLockerVolume.open(raw).unlock(new Secrets(List.of(args[1]), List.of(), List.of())).layer();
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            for (int r = 0; r < rounds; r++) {
                for (Layer l : new Layer[] {raw, plain}) {
                    long c0 = processCpu(), w0 = System.nanoTime();
                    for (long p = 0; p < l.size(); p += buf.capacity()) {
                        buf.clear();
                        if (l.size() - p < buf.capacity()) buf.limit((int) (l.size() - p));
                        l.readFully(p, buf);
                    }
                    report((l == raw ? "raw volume" : "decrypted volume") + " read into a direct 1 MiB buffer", l.size(), processCpu() - c0,
                            System.nanoTime() - w0);
                }
            }
        }
    }
}
