package io.vdetach.volume.gpt;

import io.vdetach.image.Guid;
import java.util.Map;

/** Names of common GPT partition type GUIDs, as sgdisk and fdisk show them. */
final class GptTypes {
    private GptTypes() {}

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI System"),
            Map.entry("21686148-6449-6e6f-744e-656564454649", "BIOS boot"),
            Map.entry("e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved"),
            Map.entry("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "Microsoft basic data"),
            Map.entry("de94bba4-06d1-4d40-a16a-bfd50179d6ac", "Windows recovery environment"),
            Map.entry("5808c8aa-7e8f-42e0-85d2-e1e90434cfb3", "Microsoft LDM metadata"),
            Map.entry("af9b60a0-1431-4f62-bc68-3311714a69ad", "Microsoft LDM data"),
            Map.entry("0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux filesystem"),
            Map.entry("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap"),
            Map.entry("e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM"),
            Map.entry("a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID"),
            Map.entry("ca7d7ccb-63ed-4c53-861c-1742536059cc", "Linux LUKS"),
            Map.entry("933ac7e1-2eb4-4f13-b844-0e14e2aef915", "Linux /home"),
            Map.entry("4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "Linux root (x86-64)"),
            Map.entry("bc13c2ff-59e6-4262-a352-b275fd6f7172", "Linux extended boot"),
            Map.entry("6a898cc3-1dd2-11b2-99a6-080020736631", "Solaris /usr & Mac ZFS"),
            Map.entry("48465300-0000-11aa-aa11-00306543ecac", "Apple HFS/HFS+"),
            Map.entry("7c3457ef-0000-11aa-aa11-00306543ecac", "Apple APFS"),
            Map.entry("516e7cb6-6ecf-11d6-8ff8-00022d09712b", "FreeBSD UFS"));

    static String name(Guid type) {
        String n = NAMES.get(type.toString());
        return n == null ? type.toString() : n;
    }
}
