package io.vdetach.volume.bitlocker;

import io.vdetach.image.Guid;
import java.time.Instant;

/**
 * A key protector: an FVE volume master key entry (value type 8; libyal BDE format, "FVE Volume
 * Master Key (VMK)"): key identifier (16), last modification (FILETIME, 8), unknown (2),
 * protection type (2), then properties that hold the VMK wrapped for that protection.
 */
record KeyProtector(Guid id, Instant modified, int protection, FveEntry entry) {

    // protection types ("Key protection types"; 0x1000 is the smart-card protector of the corpus)
    static final int CLEAR_KEY = 0x0000;
    static final int TPM = 0x0100;
    static final int STARTUP_KEY = 0x0200;
    static final int TPM_AND_PIN = 0x0500;
    static final int RECOVERY_PASSWORD = 0x0800;
    static final int SMART_CARD = 0x1000;
    static final int PASSWORD = 0x2000;

    private static final int FIXED = 28;

    static KeyProtector of(FveEntry e) {
        e.need(FIXED, "a key protector's identifier, time and type");
        return new KeyProtector(e.guid(0), FveMetadataHeader.fileTime(e.u64(16)), e.u16(26), e);
    }

    /** "password", "recovery password", … as bdeinfo names them. */
    String typeName() {
        return switch (protection) {
            case CLEAR_KEY -> "clear key";
            case TPM -> "TPM";
            case STARTUP_KEY -> "startup key";
            case TPM_AND_PIN -> "TPM and PIN";
            case RECOVERY_PASSWORD -> "recovery password";
            case SMART_CARD -> "smart card";
            case PASSWORD -> "password";
            default -> String.format("protection type 0x%04x", protection);
        };
    }
}
