package io.vdetach.volume.bitlocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.LockedVolumeException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Layer;
import io.vdetach.testkit.Cli;
import io.vdetach.testkit.Sh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile BitLocker metadata (made from corpus volumes, CRC-32s fixed so the damage reaches the
 * parsers): entry sizes that would loop or overflow, a flood of password protectors, an encrypted
 * size past the volume's end, and seeded random damage. Each is exit 3 in bounded time, never
 * another failure and never ciphertext as data.
 */
class BitLockerHostileTest {
    @TempDir static Path tmp;
    static BitlkCorpus corpus;

    /** Where the first top-level entry starts in a block: block header (64) and metadata header (48). */
    private static final int FIRST_ENTRY = 112;

    @BeforeAll
    static void unpack() throws IOException {
        corpus = BitlkCorpus.unpack(tmp);
    }

    /** A copy of a corpus volume with every metadata block rewritten by {@code edit}. */
    private static Path hostile(String name, String as, UnaryOperator<byte[]> edit) throws IOException {
        Path copy = tmp.resolve(as + ".img");
        Sh.run("cp", "--sparse=always", corpus.image(name).toString(), copy.toString());
        Map<Long, byte[]> patches;
        try (HostFile f = HostFile.open(copy)) {
            patches = MetadataPatch.blocks(f, edit);
        }
        MetadataPatch.apply(copy, patches);
        return copy;
    }

    private static Cli.Run dump(Path image, String... secret) {
        Path out = tmp.resolve(image.getFileName() + ".raw");
        String[] args = new String[secret.length + 5];
        args[0] = "dump";
        args[1] = "--volume";
        args[2] = "disk";
        System.arraycopy(secret, 0, args, 3, secret.length);
        args[args.length - 2] = image.toString();
        args[args.length - 1] = out.toString();
        Cli.Run r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> Cli.run(args));
        assertFalse(Files.exists(out), "nothing written: " + r.err());
        return r;
    }

    private static ByteBuffer le(byte[] b) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN); }

    @Test
    void entrySizesThatWouldLoopOrOverflowAreCorrupt() throws IOException {
        int i = 0;
        for (int size : new int[] {0, 4, 0xffff}) {
            Path img = hostile("bitlk-aes-xts-128", "size-" + i++, b -> {
                le(b).putShort(FIRST_ENTRY, (short) size);
                return b;
            });
            Cli.Run r = dump(img, "--password", "anaconda");
            assertEquals(3, r.exit(), r.err());
            assertTrue(r.err().contains("FVE metadata entry size"), r.err());
        }
        // a key protector's property whose size is 0 inside: found when unlocking
        Path img = hostile("bitlk-aes-xts-128", "nested", b -> {
            int vmk = FIRST_ENTRY + Short.toUnsignedInt(le(b).getShort(FIRST_ENTRY)); // the description, then the first VMK
            le(b).putShort(vmk + 8 + 28, (short) 3);
            return b;
        });
        Cli.Run r = dump(img, "--password", "anaconda");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("FVE metadata entry size"), r.err());
    }

    @Test
    void aFloodOfPasswordProtectorsCostsAtMostSixteenStretches() throws IOException {
        Path img = hostile("bitlk-aes-xts-128", "flood", b -> {
            ByteBuffer l = le(b);
            int metadataSize = l.getInt(64);
            int vmk = FIRST_ENTRY + Short.toUnsignedInt(l.getShort(FIRST_ENTRY));
            int vmkSize = Short.toUnsignedInt(l.getShort(vmk));
            byte[] one = Arrays.copyOfRange(b, vmk, vmk + vmkSize);
            int copies = 40;
            byte[] out = Arrays.copyOf(b, 64 + metadataSize + copies * vmkSize);
            for (int c = 0; c < copies; c++) {
                byte[] e = one.clone();
                e[8 + 28 + 8 + 4] = (byte) c; // the stretch key's salt, first byte: a new stretch each
                System.arraycopy(e, 0, out, 64 + metadataSize + c * vmkSize, vmkSize);
            }
            le(out).putInt(64, metadataSize + copies * vmkSize).putInt(76, metadataSize + copies * vmkSize);
            return out;
        });
        long t0 = System.nanoTime();
        Cli.Run r = dump(img, "--password", "not-the-password");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("more than 16 password or recovery-password key derivations"), r.err());
        assertTrue(System.nanoTime() - t0 < 90e9, "bounded");
        // the right password still opens it: its protector is tried first
        r = Cli.run("dump", "--volume", "disk", "--password", "anaconda", img.toString(), tmp.resolve("flood-ok.raw").toString());
        assertEquals(0, r.exit(), r.err());
        Files.delete(tmp.resolve("flood-ok.raw"));
    }

    @Test
    void anEncryptedSizePastTheVolumeEndIsCorrupt() throws IOException {
        Path img = hostile("bitlk-aes-xts-128", "past-end", b -> {
            le(b).putLong(16, 104857600L + 4096);
            return b;
        });
        Cli.Run r = dump(img, "--password", "anaconda");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("encrypted volume size"), r.err());
        Path img2 = hostile("bitlk-aes-xts-128", "header-past-end", b -> {
            le(b).putLong(56, 104857600L - 4096); // 16 sectors of relocated boot sectors cannot start there
            return b;
        });
        r = dump(img2, "--password", "anaconda");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("volume header offset"), r.err());
    }

    /**
     * Seeded random damage to the volume header and to the metadata (all three copies alike, CRC-32
     * fixed), opened with the clear key: each mutant is refused as corrupt, unsupported or locked,
     * or opens and reads; nothing else escapes, and nothing hangs.
     */
    @Test
    void seededDamageIsRefusedOrRead() throws Exception {
        long seed = Long.getLong("vdetach.seed", 21L);
        Random rnd = new Random(seed);
        int refused = 0, opened = 0;
        try (HostFile f = HostFile.open(corpus.image("bitlk-aes-xts-128-clearkey-only"))) {
            VolumeHeader h = VolumeHeader.parse(f.readBytes(0, VolumeHeader.SIZE));
            int n = Short.toUnsignedInt(f.readBytes(h.metadataOffsets()[0] + 8, 2).getShort()) * 16;
            for (int i = 0; i < 300; i++) {
                int flips = 1 + rnd.nextInt(8);
                boolean inHeader = rnd.nextInt(5) == 0;
                int[] at = new int[flips];
                byte[] v = new byte[flips];
                for (int k = 0; k < flips; k++) {
                    at[k] = rnd.nextInt(inHeader ? VolumeHeader.SIZE : n);
                    v[k] = (byte) (rnd.nextInt(4) == 0 ? 0xff : rnd.nextInt(256));
                }
                Map<Long, byte[]> patches;
                if (inHeader) {
                    byte[] s = new byte[VolumeHeader.SIZE];
                    f.readBytes(0, s.length).get(s);
                    for (int k = 0; k < flips; k++) s[at[k]] = v[k];
                    patches = new TreeMap<>(Map.of(0L, s));
                } else {
                    patches = MetadataPatch.blocks(f, b -> {
                        for (int k = 0; k < flips; k++) if (at[k] < b.length) b[at[k]] = v[k];
                        return b;
                    });
                }
                Layer mutant = new MetadataPatch.Patched(f, patches);
                String what = "mutant " + i + " (seed " + seed + ")";
                try {
                    BitLockerVolume.Unlocked u = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                        BitLockerVolume bl = BitLockerVolume.detect(mutant);
                        return bl == null ? null : bl.unlock(Secrets.NONE);
                    }, what);
                    if (u == null) continue;
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    for (long p = 0; p < Math.min(u.layer().size(), 8L << 20); p += b.capacity()) {
                        b.clear();
                        u.layer().read(p, b);
                    }
                    u.layer().map(0, u.layer().size());
                    opened++;
                } catch (CorruptImageException | UnsupportedImageException | LockedVolumeException expected) {
                    refused++;
                } catch (Throwable t) {
                    throw new AssertionError(what + " escaped with " + t, t);
                }
            }
        }
        System.out.println("bitlocker mutants: " + refused + " refused, " + opened + " opened and read");
        assertTrue(refused > 0, "damage was noticed");
    }
}
