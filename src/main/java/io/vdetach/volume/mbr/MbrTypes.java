package io.vdetach.volume.mbr;

import java.util.Map;

/** Names of common MBR partition type bytes, as fdisk shows them. */
final class MbrTypes {
    private MbrTypes() {}

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x01, "FAT12"), Map.entry(0x04, "FAT16 <32M"), Map.entry(0x05, "Extended"),
            Map.entry(0x06, "FAT16"), Map.entry(0x07, "HPFS/NTFS/exFAT"), Map.entry(0x0b, "W95 FAT32"),
            Map.entry(0x0c, "W95 FAT32 (LBA)"), Map.entry(0x0e, "W95 FAT16 (LBA)"), Map.entry(0x0f, "W95 Ext'd (LBA)"),
            Map.entry(0x11, "Hidden FAT12"), Map.entry(0x17, "Hidden HPFS/NTFS"), Map.entry(0x27, "Hidden NTFS WinRE"),
            Map.entry(0x82, "Linux swap"), Map.entry(0x83, "Linux"), Map.entry(0x85, "Linux extended"),
            Map.entry(0x8e, "Linux LVM"), Map.entry(0xa5, "FreeBSD"), Map.entry(0xa6, "OpenBSD"),
            Map.entry(0xaf, "HFS / HFS+"), Map.entry(0xbf, "Solaris"), Map.entry(0xee, "GPT"),
            Map.entry(0xef, "EFI (FAT-12/16/32)"), Map.entry(0xfd, "Linux raid autodetect"));

    static String name(int type) {
        String hex = String.format("0x%02x", type);
        String n = NAMES.get(type);
        return n == null ? hex : hex + " " + n;
    }
}
