package io.vdetach.volume.bitlocker;

/** Throwaway: decrypt throughput of the sector ciphers in memory. */
public final class XtsSpeed {
    public static void main(String[] a) {
        byte[] key = new byte[32];
        new java.util.Random(1).nextBytes(key);
        for (SectorCipher c : new SectorCipher[] {new XtsSectors(key, 512), new XtsSectors(key, 4096), new CbcSectors(new byte[16], null, 512),
                new CbcSectors(new byte[16], new byte[16], 512)}) {
            byte[] b = new byte[1 << 20];
            for (int r = 0; r < 3; r++) {
                long t = System.nanoTime(), n = 0;
                while (System.nanoTime() - t < 1_000_000_000L) { c.decrypt(n, b, 0, b.length); n += b.length; }
                if (r == 2) System.out.printf("%s %.0f MB/s%n", c.getClass().getSimpleName() + " " + c.sectorSize(), n / ((System.nanoTime() - t) / 1e9) / 1e6);
            }
        }
    }
}
