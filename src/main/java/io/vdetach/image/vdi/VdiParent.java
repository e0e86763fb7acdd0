package io.vdetach.image.vdi;

import io.vdetach.error.MissingFileException;
import io.vdetach.extent.HostFile;
import io.vdetach.image.DiskImage;
import io.vdetach.image.Guid;
import io.vdetach.image.ImageOpener;
import io.vdetach.image.Located;
import io.vdetach.image.NamingField;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A VDI diff names its parent only by UUID (VirtualBox keeps the path in its media registry),
 * so the parent is searched among the *.vdi files of the child's own directory: the one whose
 * creation UUID equals the child's linkage UUID. No other directory is searched.
 */
final class VdiParent {
    /** Directories with more VDI files than this are not scanned further (bounded work). */
    private static final int MAX_CANDIDATES = 4096;
    /** Where the header keeps the parent's creation UUID (VDIHEADER1PLUS.uuidLinkage). */
    private static final long LINKAGE_AT = 0x1a8;

    private VdiParent() {}

    static DiskImage open(HostFile child, VdiHeader h, ImageOpener opener, List<String> warnings) throws IOException {
        Path dir = child.path().getParent();
        List<Path> names = opener.regularFilesBeside(child.path()).stream()
                .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vdi")).toList();
        if (names.size() > MAX_CANDIDATES) {
            warnings.add(dir + ": more than " + MAX_CANDIDATES + " VDI files; the rest were not searched for the parent");
            names = names.subList(0, MAX_CANDIDATES);
        }
        NamingField field = new NamingField("vdi", "header.uuidLinkage", LINKAGE_AT);
        List<Located> matches = new ArrayList<>();
        for (Path p : names) {
            Located candidate = opener.locate(child.path(), p.getFileName().toString(), field);
            if (!candidate.usable() || candidate.path().equals(child.path())) continue;
            Guid created = creationUuid(opener, candidate);
            if (created != null && created.equals(h.uuidLinkage())) matches.add(candidate);
        }
        if (matches.isEmpty()) {
            throw new MissingFileException("vdi", "header.uuidLinkage", LINKAGE_AT, h.uuidLinkage().toString(), dir,
                    "no VDI file in this directory has that creation UUID (a VDI names its parent by UUID only)");
        }
        if (matches.size() > 1) {
            warnings.add("several VDI files in " + dir + " have the parent UUID " + h.uuidLinkage() + ": "
                    + matches.stream().map(Located::path).toList() + "; using " + matches.getFirst().path());
        }
        Located found = matches.getFirst();
        DiskImage parent = opener.openParent(found);
        if (parent.format().equals("vdi") && !h.uuidParentModify().isZero()
                && !h.uuidParentModify().toString().equals(parent.linkId())) {
            warnings.add("parent " + found.path() + " was modified (UUID " + parent.linkId() + ") after " + child.path()
                    + " was made (expected " + h.uuidParentModify() + ")");
        }
        return parent;
    }

    /** The creation UUID of a VDI file, or null if it is not one. */
    private static Guid creationUuid(ImageOpener opener, Located candidate) {
        try (HostFile f = opener.openFile(candidate)) {
            if (f.size() < VdiHeader.SIZE) return null;
            ByteBuffer b = f.readBytes(0, VdiHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0x40) != VdiHeader.SIGNATURE) return null;
            return Guid.read(b, 0x188);
        } catch (IOException e) {
            return null; // unreadable files are simply not the parent
        }
    }
}
