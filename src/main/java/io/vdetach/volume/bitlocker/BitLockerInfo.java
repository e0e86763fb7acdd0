package io.vdetach.volume.bitlocker;

import io.vdetach.image.Guid;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What a BitLocker volume says about itself without a key, as bdeinfo shows it: the volume
 * identifier, the encryption method, the description Windows wrote, the creation time and the key
 * protectors; and, once unlocked, which protector opened it.
 *
 * @param variant "Windows 7 or later", "Windows Vista" or "To Go"
 * @param method "AES-XTS 128-bit", or the stored value when vdetach does not know it
 * @param encryptOnWrite the volume is an Encrypt-on-Write ("used space only") conversion
 * @param unlockedBy "password 3e55195c-…", or "" while locked
 */
public record BitLockerInfo(String variant, Guid volumeId, String method, String description, Instant created,
                            List<Protector> protectors, boolean encryptOnWrite, String unlockedBy) {

    /** A key protector: its type as bdeinfo names it and its identifier. */
    public record Protector(String type, Guid id) {
        @Override
        public String toString() { return type + " " + id; }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    public BitLockerInfo {
        protectors = List.copyOf(protectors);
    }

    BitLockerInfo unlocked(String by) {
        return new BitLockerInfo(variant, volumeId, method, description, created, protectors, encryptOnWrite, by);
    }

    public boolean locked() { return unlockedBy.isEmpty(); }

    /** One line for listings: "BitLocker (Windows 7 or later) 8f595209-…, AES-XTS 128-bit, "DESKTOP H: 7/4/2019", created …". */
    public String summary() {
        StringBuilder b = new StringBuilder("BitLocker");
        b.append(variant.equals("To Go") ? " To Go " : " ").append(volumeId).append(", ").append(method);
        if (encryptOnWrite) b.append(" (Encrypt-on-Write)");
        if (!description.isEmpty()) b.append(", \"").append(description).append('"');
        b.append(", created ").append(TIME.format(created));
        b.append(", protectors: ");
        b.append(protectors.isEmpty() ? "none" : String.join(", ", protectors.stream().map(Protector::toString).toList()));
        return b.toString();
    }

    /** The creation time as listings print it. */
    public String createdText() { return TIME.format(created); }
}
