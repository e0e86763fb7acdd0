package io.vdetach.apply;

import io.vdetach.error.HostException;
import io.vdetach.guestfs.DirEntry;
import io.vdetach.guestfs.GuestFilesystem;
import io.vdetach.guestfs.Node;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Resolves "p1/etc/hosts" (volume first) to a guest node, without following symlinks. */
public final class GuestPaths {
    private GuestPaths() {}

    /** What a guest path names: an entry, or nothing (and why). */
    public sealed interface Lookup permits Found, Missing {}

    public record Found(OpenedImage.Slot slot, GuestFilesystem fs, Node node, String rest) implements Lookup {}

    /** Nothing at the path: a volume or a name that is not there. */
    public record Missing(String why) implements Lookup {}

    /** The entry {@code guestPath} names; a path that names nothing is a host-side error (exit 4). */
    public static Found resolve(OpenedImage img, String guestPath) throws IOException {
        return switch (find(img, guestPath)) {
            case Found f -> f;
            case Missing m -> throw new HostException(m.why());
        };
    }

    /** The entry {@code guestPath} names, or why there is none; a damaged volume throws its problem. */
    public static Lookup find(OpenedImage img, String guestPath) throws IOException {
        String p = guestPath.startsWith("/") ? guestPath.substring(1) : guestPath;
        int slash = p.indexOf('/');
        String vol = slash < 0 ? p : p.substring(0, slash);
        String rest = slash < 0 ? "" : p.substring(slash + 1);
        OpenedImage.Slot slot = img.slot(vol);
        if (slot == null) return new Missing("no volume \"" + vol + "\" in the image (paths start with the volume: p1/etc/hosts)");
        GuestFilesystem fs = slot.filesystem();
        if (fs == null) {
            if (slot.problem() != null) throw slot.problem();
            return new Missing("volume " + vol + " holds no readable filesystem (" + slot.probed() + ")");
        }
        Node n = fs.node(fs.rootId());
        for (String part : rest.split("/")) {
            if (part.isEmpty()) continue;
            if (!n.isDirectory()) return new Missing(guestPath + ": not found (" + part + " is under a non-directory)");
            byte[] want = part.getBytes(StandardCharsets.UTF_8);
            Node next = null;
            for (DirEntry e : fs.list(n)) {
                if (Arrays.equals(e.name(), want)) {
                    next = fs.node(e.id());
                    break;
                }
            }
            if (next == null) return new Missing(guestPath + ": not found");
            n = next;
        }
        return new Found(slot, fs, n, rest);
    }
}
