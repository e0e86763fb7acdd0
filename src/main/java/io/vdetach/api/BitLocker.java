package io.vdetach.api;

import java.time.Instant;
import java.util.List;

/**
 * A BitLocker volume as it describes itself without a key (as bdeinfo shows it), and, once unlocked,
 * which protector opened it.
 *
 * @param variant "Windows 7 or later", "Windows Vista" or "To Go"
 * @param volumeId the volume's GUID
 * @param method "AES-XTS 128-bit", …
 * @param encryptOnWrite an Encrypt-on-Write ("used space only") conversion, which vdetach refuses
 * @param protectors each key protector as "type GUID" ("password 3e55195c-…")
 * @param unlockedBy the protector that opened it; empty while locked
 * @param summary one line as {@code vdetach ls} prints it
 */
public record BitLocker(String variant, String volumeId, String method, String description, Instant created,
                        boolean encryptOnWrite, List<Protector> protectors, String unlockedBy, String summary) {

    /** A key protector: its type as bdeinfo names it and its GUID. */
    public record Protector(String type, String id) {}

    public BitLocker {
        protectors = List.copyOf(protectors);
    }

    public boolean locked() { return unlockedBy.isEmpty(); }

    static BitLocker of(io.vdetach.volume.bitlocker.BitLockerInfo b) {
        List<Protector> ps = b.protectors().stream().map(p -> new Protector(p.type(), p.id().toString())).toList();
        return new BitLocker(b.variant(), b.volumeId().toString(), b.method(), b.description(), b.created(),
                b.encryptOnWrite(), ps, b.unlockedBy(), b.summary());
    }
}
