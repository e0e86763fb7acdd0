package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.Guid;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.Located;
import io.vdetach.image.NamingField;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the parent of a differencing VHDX from its locator ([MS-VHDX] 2.6.2.6.2): relative_path
 * first (against the child's directory), then the file names of absolute_win32_path and
 * volume_path beside the child (a drive or volume path means nothing on this host). Every name
 * goes through {@link ImageOpener#locate}, which keeps it inside the image's directory unless
 * the user allowed more. parent_linkage must equal the parent's DataWriteGuid, else a warning.
 */
final class VhdxParent {
    private VhdxParent() {}

    static DiskImage open(HostFile child, VhdxParentLocator locator, ImageOpener opener, List<String> warnings)
            throws IOException {
        List<Located> tried = new ArrayList<>();
        for (String key : List.of("relative_path", "absolute_win32_path", "volume_path")) {
            String v = locator.entries().get(key);
            if (v == null) continue;
            String name = key.equals("relative_path") ? v.replace('\\', '/') : fileName(v);
            tried.add(opener.locate(child.path(), name, new NamingField("vhdx", "parent locator " + key, locator.valueAt().get(key))));
            if (!tried.getLast().usable()) continue;
            DiskImage parent = opener.openParent(tried.getLast());
            checkLinkage(locator, parent, child, warnings);
            return parent;
        }
        if (tried.isEmpty()) {
            throw new CorruptImageException("vhdx", "parent locator", locator.at(), "differencing disk " + child.path()
                    + " names no parent path (no relative_path, absolute_win32_path or volume_path)");
        }
        throw Located.parentNotFound(tried);
    }

    private static void checkLinkage(VhdxParentLocator locator, DiskImage parent, HostFile child, List<String> warnings) {
        String linkage = locator.entries().get("parent_linkage");
        if (!parent.format().equals("vhdx") || linkage == null) return;
        String alt = locator.entries().get("parent_linkage2");
        try {
            Guid want = Guid.of(linkage);
            String have = parent.linkId();
            if (want.toString().equals(have) || (alt != null && Guid.of(alt).toString().equals(have))) return;
            warnings.add("parent " + parent.describe() + " has DataWriteGuid " + have + " but " + child.path()
                    + " expects parent_linkage " + want + ": the parent changed after the child was made");
        } catch (IllegalArgumentException e) {
            warnings.add(child.path() + ": parent_linkage \"" + linkage + "\" is not a GUID");
        }
    }

    private static String fileName(String path) {
        String p = path.replace('\\', '/');
        return p.substring(p.lastIndexOf('/') + 1);
    }
}
