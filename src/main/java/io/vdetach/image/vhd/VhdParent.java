package io.vdetach.image.vhd;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.Located;
import io.vdetach.image.NamingField;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds and opens the parent of a differencing VHD: the W2ru (relative) locators first, then
 * W2ku (absolute Windows path: only its file name is tried, beside the child, since a drive
 * path means nothing on this host), then the parent unicode name of the header. Every name
 * goes through {@link ImageOpener#locate}, which keeps it inside the image's directory.
 */
final class VhdParent {
    /** A Windows path is at most 32,767 UTF-16 units; a longer locator is not a path. */
    private static final long MAX_LOCATOR_BYTES = 65_536;
    /** Dynamic disk header: parent unicode name at 64, the eight locator entries from 576. */
    private static final int PARENT_NAME_AT = 64;
    private static final int LOCATORS_AT = 576;

    private VhdParent() {}

    static DiskImage open(HostFile child, VhdDynamicHeader h, long headerAt, ImageOpener opener,
                          List<String> warnings) throws IOException {
        List<Located> tried = new ArrayList<>();
        for (String code : List.of("W2ru", "W2ku")) {
            for (VhdParentLocator l : h.parentLocators()) {
                if (!l.platformCode().equals(code)) continue;
                NamingField field = new NamingField("vhd", code + " parent locator", l.dataOffset());
                if (l.dataLength() == 0 || l.dataLength() > MAX_LOCATOR_BYTES || l.dataOffset() < 0
                        || l.dataOffset() > child.size() - l.dataLength()) {
                    tried.add(new Located(new NamingField("vhd", code + " parent locator entry",
                            headerAt + LOCATORS_AT + (long) l.index() * VhdParentLocator.SIZE), "", null, "data of "
                            + l.dataLength() + " bytes at file offset " + l.dataOffset() + " does not lie inside the file"));
                    continue;
                }
                ByteBuffer b = child.readBytes(l.dataOffset(), (int) l.dataLength());
                String text = VhdDynamicHeader.untilNul(StandardCharsets.UTF_16LE.decode(b).toString());
                tried.add(opener.locate(child.path(), code.equals("W2ku") ? fileName(text) : posix(text), field));
                if (tried.getLast().usable()) return open(child, h, opener, tried.getLast(), warnings);
            }
        }
        if (!h.parentUnicodeName().isEmpty()) {
            NamingField field = new NamingField("vhd", "dynamic disk header.parent unicode name", headerAt + PARENT_NAME_AT);
            tried.add(opener.locate(child.path(), fileName(h.parentUnicodeName()), field));
            if (tried.getLast().usable()) return open(child, h, opener, tried.getLast(), warnings);
        }
        if (tried.isEmpty()) {
            throw new CorruptImageException("vhd", "parent locator", headerAt + LOCATORS_AT,
                    "differencing disk " + child.path() + " has no W2ru/W2ku locator and no parent name");
        }
        throw Located.parentNotFound(tried);
    }

    private static DiskImage open(HostFile child, VhdDynamicHeader h, ImageOpener opener, Located found,
            List<String> warnings) throws IOException {
        DiskImage parent = opener.openParent(found);
        String want = HexFormat.of().formatHex(h.parentUniqueId());
        if (parent.format().equals("vhd") && !want.equals(parent.linkId())) {
            warnings.add("parent " + found.path() + " has unique id " + parent.linkId() + " but " + child.path()
                    + " expects " + want + ": the parent may have changed after the child was made");
        }
        return parent;
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
