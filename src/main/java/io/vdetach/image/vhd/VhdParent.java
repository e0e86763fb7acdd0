package io.vdetach.image.vhd;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds and opens the parent of a differencing VHD: the W2ru (relative) locators first, then
 * W2ku (absolute Windows path: only its file name is tried, beside the child, since a drive
 * path means nothing on this host), then the parent unicode name of the header. Every name
 * goes through {@link ImageOpener#resolve}, which keeps it inside the image's directory.
 */
final class VhdParent {
    /** A Windows path is at most 32,767 UTF-16 units; a longer locator is not a path. */
    private static final long MAX_LOCATOR_BYTES = 65_536;

    private VhdParent() {}

    static DiskImage open(HostFile child, VhdDynamicHeader h, long headerAt, ImageOpener opener,
                          List<String> warnings) throws IOException {
        List<String[]> candidates = new ArrayList<>(); // {how named, text}
        List<String> tried = new ArrayList<>();
        for (String code : List.of("W2ru", "W2ku")) {
            for (VhdParentLocator l : h.parentLocators()) {
                if (!l.platformCode().equals(code)) continue;
                if (l.dataLength() == 0 || l.dataLength() > MAX_LOCATOR_BYTES || l.dataOffset() < 0
                        || l.dataOffset() > child.size() - l.dataLength()) {
                    tried.add(code + " locator at file offset " + l.dataOffset() + " with length " + l.dataLength()
                            + " does not lie inside the file");
                    continue;
                }
                ByteBuffer b = child.readBytes(l.dataOffset(), (int) l.dataLength());
                String text = VhdDynamicHeader.untilNul(StandardCharsets.UTF_16LE.decode(b).toString());
                candidates.add(new String[] {code + " locator", code.equals("W2ku") ? fileName(text) : posix(text)});
            }
        }
        if (!h.parentUnicodeName().isEmpty()) {
            candidates.add(new String[] {"parent unicode name", fileName(h.parentUnicodeName())});
        }
        for (String[] c : candidates) {
            Path p;
            try {
                p = opener.resolve(child.path(), c[1], "vhd", c[0]);
            } catch (CorruptImageException | HostException e) {
                tried.add(c[0] + " \"" + c[1] + "\": " + e.getMessage());
                continue;
            }
            DiskImage parent = opener.openParent(p, "vhd", "parent of " + child.path());
            if (parent instanceof VhdImage v && !java.util.Arrays.equals(v.uniqueId(), h.parentUniqueId())) {
                warnings.add("parent " + p + " has unique id " + HexFormat.of().formatHex(v.uniqueId())
                        + " but " + child.path() + " expects " + HexFormat.of().formatHex(h.parentUniqueId())
                        + ": the parent may have changed after the child was made");
            }
            return parent;
        }
        throw new CorruptImageException("vhd", "parent locator", headerAt + 576,
                "differencing disk " + child.path() + ": parent not found"
                        + (tried.isEmpty() ? " (no W2ru/W2ku locator and no parent name)" : ": " + String.join("; ", tried)));
    }

    /** ".\dir\p.vhd" → "./dir/p.vhd". */
    private static String posix(String windows) {
        return windows.replace('\\', '/');
    }

    /** The last component of a Windows or POSIX path. */
    private static String fileName(String path) {
        String p = posix(path);
        int slash = p.lastIndexOf('/');
        String name = slash < 0 ? p : p.substring(slash + 1);
        int colon = name.indexOf(':'); // "C:parent.vhd"
        return colon >= 0 ? name.substring(colon + 1) : name;
    }
}
