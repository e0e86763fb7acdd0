package io.vdetach.image.vhdx;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.HostException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageOpener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the parent of a differencing VHDX from its locator ([MS-VHDX] 2.6.2.6.2): relative_path
 * first (against the child's directory), then the file names of absolute_win32_path and
 * volume_path beside the child (a drive or volume path means nothing on this host). Every name
 * goes through {@link ImageOpener#resolve}, which keeps it inside the image's directory unless
 * the user allowed more. parent_linkage must equal the parent's DataWriteGuid, else a warning.
 */
final class VhdxParent {
    private VhdxParent() {}

    static DiskImage open(HostFile child, VhdxParentLocator locator, ImageOpener opener, List<String> warnings)
            throws IOException {
        List<String[]> candidates = new ArrayList<>();
        String relative = locator.entries().get("relative_path");
        if (relative != null) candidates.add(new String[] {"relative_path", relative.replace('\\', '/')});
        for (String key : List.of("absolute_win32_path", "volume_path")) {
            String v = locator.entries().get(key);
            if (v != null) candidates.add(new String[] {key, fileName(v)});
        }
        List<String> tried = new ArrayList<>();
        for (String[] c : candidates) {
            Path p;
            try {
                p = opener.resolve(child.path(), c[1], "vhdx", "parent locator " + c[0]);
            } catch (CorruptImageException | HostException e) {
                tried.add(c[0] + " \"" + c[1] + "\": " + e.getMessage());
                continue;
            }
            DiskImage parent = opener.openParent(p, "vhdx", "parent of " + child.path());
            checkLinkage(locator, parent, p, child, warnings);
            return parent;
        }
        throw new CorruptImageException("vhdx", "parent locator", 0, "differencing disk " + child.path()
                + ": parent not found" + (tried.isEmpty() ? " (no path in the locator)" : ": " + String.join("; ", tried)));
    }

    private static void checkLinkage(VhdxParentLocator locator, DiskImage parent, Path p, HostFile child,
                                     List<String> warnings) {
        String linkage = locator.entries().get("parent_linkage");
        if (!(parent instanceof VhdxImage v) || linkage == null) return;
        String alt = locator.entries().get("parent_linkage2");
        try {
            VhdxGuid want = VhdxGuid.of(linkage);
            if (want.equals(v.dataWriteGuid()) || (alt != null && VhdxGuid.of(alt).equals(v.dataWriteGuid()))) return;
            warnings.add("parent " + p + " has DataWriteGuid " + v.dataWriteGuid() + " but " + child.path()
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
