package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.LockedVolumeException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BitLocker volume: its header and a valid copy of its FVE metadata, which name it without a
 * key ({@link #info()}), and the unlocking that turns it into a decrypted {@link Layer}: a
 * protector's key unwraps the VMK (AES-CCM), the VMK unwraps the FVEK, the FVEK decrypts sectors.
 */
public final class BitLockerVolume {

    /** Bytes {@link #probe} needs: the first sector. */
    public static final int PROBE_BYTES = VolumeHeader.SIZE;
    /**
     * Password and recovery-password protectors each cost a 2^20-round SHA-256 stretch (about 0.3 s
     * here). Windows volumes hold a handful; a hostile volume with hundreds would keep vdetach busy
     * for minutes, so at most this many stretches are made per volume.
     */
    static final int MAX_STRETCHES = 16;

    private final Layer raw;
    private final VolumeHeader header;
    private final FveMetadata metadata;
    private final long[] metadataOffsets;
    private final BitLockerInfo info;

    private BitLockerVolume(Layer raw, VolumeHeader header, FveMetadata metadata, long[] metadataOffsets) {
        this.raw = raw;
        this.header = header;
        this.metadata = metadata;
        this.metadataOffsets = metadataOffsets;
        List<BitLockerInfo.Protector> ps = new ArrayList<>();
        for (KeyProtector p : metadata.protectors()) ps.add(new BitLockerInfo.Protector(p.typeName(), p.id()));
        EncryptionMethod m = EncryptionMethod.of(metadata.header().method());
        this.info = new BitLockerInfo(header.variant().label, metadata.header().volumeId(),
                m != null ? m.label() : String.format("encryption method 0x%08x", metadata.header().method()),
                metadata.description(), metadata.header().created(), ps, header.encryptOnWrite(), "");
    }

    /** Whether a volume's first bytes are a BitLocker volume header (signatures only). */
    public static boolean probe(ByteBuffer head) {
        return VolumeHeader.probe(head);
    }

    /** The volume opened as BitLocker when its first sector says it is one; null otherwise. */
    public static BitLockerVolume detect(Layer volume) throws IOException {
        if (volume.size() < PROBE_BYTES || !probe(volume.readBytes(0, PROBE_BYTES))) return null;
        return open(volume);
    }

    /** Reads the header and the first valid metadata copy. */
    public static BitLockerVolume open(Layer volume) throws IOException {
        if (volume.size() < VolumeHeader.SIZE) throw new CorruptImageException(VolumeHeader.FORMAT, "volume header", 0, "volume too small");
        VolumeHeader h = VolumeHeader.parse(volume.readBytes(0, VolumeHeader.SIZE));
        FveMetadata m = FveMetadata.readValid(volume, h.metadataOffsets());
        long[] offsets = h.variant() == VolumeHeader.Variant.VISTA ? m.block().offsets() : h.metadataOffsets();
        return new BitLockerVolume(volume, h, m, offsets);
    }

    public BitLockerInfo info() { return info; }

    /** A decrypted volume and what it says about itself (with the protector that opened it). */
    public record Unlocked(Layer layer, BitLockerInfo info) {}

    /**
     * Unlocks with the clear key when the volume has one (protection suspended), else with the
     * secrets, each tried against the protectors of its kind.
     *
     * @return the decrypted volume, or null when the volume has no clear key and no secret was given
     * @throws LockedVolumeException secrets were given and no protector accepts any of them
     * @throws UnsupportedImageException an Encrypt-on-Write volume, or an unknown encryption method
     */
    public Unlocked unlock(Secrets secrets) throws IOException {
        List<KeyProtector> protectors = metadata.protectors();
        boolean clear = protectors.stream().anyMatch(p -> p.protection() == KeyProtector.CLEAR_KEY);
        if (!clear && secrets.isEmpty()) return null;
        if (header.encryptOnWrite()) {
            throw UnsupportedImageException.because(VolumeHeader.FORMAT, "volume " + info.volumeId()
                    + " is an Encrypt-on-Write (used space only) conversion (BitLocker identifier " + header.identifier()
                    + " at offset 160), which is not supported: which of its sectors are encrypted is kept in FVE-EOW bitmaps,"
                    + " whose format is not public, so decrypting it could present ciphertext as data");
        }
        EncryptionMethod method = EncryptionMethod.of(metadata.header().method());
        if (method == null) {
            throw new UnsupportedImageException(VolumeHeader.FORMAT, "FVE metadata header encryption method",
                    metadata.offset() + FveBlockHeader.SIZE + 36, String.format("encryption method 0x%08x", metadata.header().method()));
        }
        Opened vmk = openVmk(protectors, secrets);
        if (vmk == null) throw rejected(protectors, secrets);
        FveEntry wrapped = metadata.fvek();
        KeyEntry fvek = WrappedKey.unwrap(wrapped, vmk.key);
        if (fvek == null) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVEK entry", wrapped.at(),
                    "its AES-CCM tag does not match the VMK that " + vmk.by + " opened");
        }
        if (fvek.keyData().length < method.keyDataBytes()) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVEK entry", wrapped.at(),
                    fvek.keyData().length + " key bytes, " + method.label() + " needs " + method.keyDataBytes());
        }
        Layout layout = Layout.of(raw.size(), header.bytesPerSector(), metadata, metadataOffsets);
        SectorCipher cipher = method.cipher(fvek.keyData(), header.bytesPerSector());
        return new Unlocked(new DecryptedVolume(raw, layout, cipher, metadata.block().volumeHeaderOffset()), info.unlocked(vmk.by));
    }

    private record Opened(byte[] key, String by) {}

    /** The VMK from the first protector that accepts the clear key or a secret; null when none does. */
    private Opened openVmk(List<KeyProtector> protectors, Secrets secrets) {
        for (KeyProtector p : protectors) {
            if (p.protection() != KeyProtector.CLEAR_KEY) continue;
            FveEntry key = p.entry().property(FveEntry.VALUE_KEY);
            if (key == null) continue;
            byte[] vmk = vmk(p, KeyEntry.of(key).keyData());
            if (vmk != null) return new Opened(vmk, "clear key " + p.id());
        }
        Stretches stretches = new Stretches();
        for (String pw : secrets.passwords()) {
            for (KeyProtector p : of(protectors, KeyProtector.PASSWORD)) {
                byte[] salt = salt(p);
                byte[] vmk = salt == null ? null : vmk(p, stretches.get("p" + pw, salt, () -> StretchKey.fromPassword(pw, salt)));
                if (vmk != null) return new Opened(vmk, "password " + p.id());
            }
        }
        for (String rp : secrets.recoveryPasswords()) {
            byte[] key16 = RecoveryPassword.key(rp);
            for (KeyProtector p : of(protectors, KeyProtector.RECOVERY_PASSWORD)) {
                byte[] salt = salt(p);
                byte[] vmk = salt == null ? null : vmk(p, stretches.get("r" + rp, salt, () -> StretchKey.fromRecoveryKey(key16, salt)));
                if (vmk != null) return new Opened(vmk, "recovery password " + p.id());
            }
        }
        for (StartupKey sk : secrets.startupKeys()) {
            List<KeyProtector> named = of(protectors, KeyProtector.STARTUP_KEY).stream().filter(p -> p.id().equals(sk.id())).toList();
            for (KeyProtector p : named.isEmpty() ? of(protectors, KeyProtector.STARTUP_KEY) : named) {
                byte[] vmk = vmk(p, sk.key());
                if (vmk != null) return new Opened(vmk, "startup key " + p.id());
            }
        }
        return null;
    }

    /** Stretched keys by secret and salt, so protectors that share a salt cost one stretch; bounded. */
    private final class Stretches {
        private final Map<String, byte[]> done = new HashMap<>();

        byte[] get(String secret, byte[] salt, java.util.function.Supplier<byte[]> derive) {
            String k = secret + "\0" + java.util.HexFormat.of().formatHex(salt);
            byte[] v = done.get(k);
            if (v != null) return v;
            if (done.size() >= MAX_STRETCHES) {
                throw UnsupportedImageException.because(VolumeHeader.FORMAT, "more than " + MAX_STRETCHES
                        + " password or recovery-password key derivations (2^20 SHA-256 rounds each) would be needed to try the "
                        + metadata.protectors().size() + " key protectors of the metadata block at offset " + metadata.offset()
                        + ": refused (a volume made to stall the reader?)");
            }
            v = derive.get();
            done.put(k, v);
            return v;
        }
    }

    /** The VMK this protector wraps, when {@code key} opens it; null otherwise. */
    private static byte[] vmk(KeyProtector p, byte[] key) {
        if (key.length != 32) return null; // protectors wrap the VMK with AES-256
        FveEntry wrapped = p.entry().property(FveEntry.VALUE_AES_CCM);
        if (wrapped == null) return null;
        KeyEntry k = WrappedKey.unwrap(wrapped, key);
        if (k == null) return null;
        if (k.keyData().length != 32) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "VMK of key protector " + p.id(), wrapped.at(),
                    k.keyData().length + " key bytes, not 32");
        }
        return k.keyData();
    }

    /** The stretch key's salt of a password or recovery-password protector, or null when it has none. */
    private static byte[] salt(KeyProtector p) {
        FveEntry s = p.entry().property(FveEntry.VALUE_STRETCH_KEY);
        if (s == null) return null;
        s.need(4 + StretchKey.SALT, "a stretch key's method and salt");
        return java.util.Arrays.copyOfRange(s.data(), 4, 4 + StretchKey.SALT);
    }

    private static List<KeyProtector> of(List<KeyProtector> all, int protection) {
        return all.stream().filter(p -> p.protection() == protection).toList();
    }

    private LockedVolumeException rejected(List<KeyProtector> protectors, Secrets secrets) {
        Set<String> given = new LinkedHashSet<>();
        if (!secrets.passwords().isEmpty()) given.add("password");
        if (!secrets.recoveryPasswords().isEmpty()) given.add("recovery password");
        if (!secrets.startupKeys().isEmpty()) given.add("key");
        String protectorList = protectors.isEmpty() ? "none" : String.join(", ", info.protectors().stream().map(Object::toString).toList());
        return new LockedVolumeException(VolumeHeader.FORMAT, metadata.offset(), "no key protector accepts the given "
                + String.join("/", given) + " (volume " + info.volumeId() + "; its protectors: " + protectorList + ")");
    }
}
