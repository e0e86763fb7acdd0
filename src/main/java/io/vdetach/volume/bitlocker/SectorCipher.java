package io.vdetach.volume.bitlocker;

/**
 * How a BitLocker volume's sectors are encrypted with the FVEK. Every call works on whole
 * sectors in place and is safe from several threads (each keeps its own JDK ciphers).
 */
sealed interface SectorCipher permits XtsSectors, CbcSectors {

    int sectorSize();

    /**
     * Decrypts the sectors in {@code b[off, off + len)} in place; the first lies at byte
     * {@code position} of the volume (the offset BitLocker derives each sector's IV or tweak from).
     */
    void decrypt(long position, byte[] b, int off, int len);

    /** The inverse of {@link #decrypt} (tests build volumes with it). */
    void encrypt(long position, byte[] b, int off, int len);

    /** Checks that a call covers whole sectors at a sector boundary. */
    default void checkWhole(long position, int len) {
        if (position < 0 || position % sectorSize() != 0 || len % sectorSize() != 0) {
            throw new IllegalArgumentException("not whole sectors: " + len + " bytes at " + position);
        }
    }
}
