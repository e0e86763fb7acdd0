package io.vdetach.image.ova;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.extent.HostFile;
import io.vdetach.extent.Run;
import io.vdetach.image.DiskImage;
import io.vdetach.image.ImageFormat;
import io.vdetach.image.ImageFormat.Confidence;
import io.vdetach.image.ImageOpener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An OVA (DMTF DSP0243, "OVF package" as a tar archive whose first member is the .ovf
 * descriptor): the disks the descriptor lists are tar members, each stored contiguously, so a
 * disk is read in place through a {@link HostFile#slice} of the archive, never unpacked. Its map
 * points into the .ova at the real offsets, so a flat or sparse disk shares like any other; a
 * streamOptimized VMDK finds its footer at the end of its member.
 *
 * <p>One image is one disk: an OVA with several disks is read as its first, with a warning naming the others.
 */
public final class OvaImage implements DiskImage {
    /** A ustar header whose first member is the .ovf (DSP0243 puts it first), or a pax/GNU extension header before it. */
    public static final ImageFormat FORMAT = new ImageFormat("ova", OvaImage::probe, OvaImage::open);

    private final HostFile file;
    private final DiskImage disk;
    private final String diskName;
    private final OvfDescriptor ovf;
    private final List<String> warnings;

    private OvaImage(HostFile file, DiskImage disk, String diskName, OvfDescriptor ovf, List<String> warnings) {
        this.file = file;
        this.disk = disk;
        this.diskName = diskName;
        this.ovf = ovf;
        this.warnings = warnings;
    }

    private static Confidence probe(ImageFormat.Sample s) {
        if (!s.head(257, "ustar")) return Confidence.NONE;
        ByteBuffer h = s.head();
        int n = 0;
        while (n < 100 && n < h.limit() && h.get(n) != 0) n++;
        String name = new String(h.array(), h.arrayOffset(), n, StandardCharsets.UTF_8);
        if (name.toLowerCase(java.util.Locale.ROOT).endsWith(".ovf")) return Confidence.CERTAIN;
        byte type = h.limit() > 156 ? h.get(156) : 0;
        return type == 'x' || type == 'g' || type == 'L' ? Confidence.WEAK : Confidence.NONE;
    }

    public static DiskImage open(HostFile file, ImageOpener opener) throws IOException {
        String name = file.path().toString();
        List<TarMembers.Member> members = TarMembers.read(file);
        if (members.isEmpty() || !members.getFirst().name().toLowerCase(java.util.Locale.ROOT).endsWith(".ovf")) {
            throw new UnsupportedImageException("ova", "tar member 0", 0, "a tar archive whose first member is not an .ovf"
                    + " descriptor (" + name + ")");
        }
        TarMembers.Member desc = members.getFirst();
        if (desc.size() > OvfDescriptor.MAX_BYTES) {
            throw new CorruptImageException("ova", "OVF descriptor", desc.dataAt(), name + ": a " + desc.size()
                    + "-byte descriptor (at most " + OvfDescriptor.MAX_BYTES + ")");
        }
        String xml = new String(file.readBytes(desc.dataAt(), (int) desc.size()).array(), StandardCharsets.UTF_8);
        OvfDescriptor ovf = OvfDescriptor.parse(xml, name + " member " + desc.name());
        List<String> hrefs = new ArrayList<>();
        for (OvfDescriptor.Disk d : ovf.disks()) if (d.href() != null) hrefs.add(d.href());
        if (hrefs.isEmpty()) {
            throw new UnsupportedImageException("ova", "OVF DiskSection", desc.dataAt(), "an OVA without a disk file (" + name + ")");
        }
        TarMembers.Member member = null;
        for (TarMembers.Member m : members) if (m.name().equals(hrefs.getFirst())) member = m;
        if (member == null) {
            throw new CorruptImageException("ova", "OVF References", desc.dataAt(), name + ": disk file \"" + hrefs.getFirst()
                    + "\" is not a member of the archive");
        }
        List<String> warnings = new ArrayList<>();
        if (hrefs.size() > 1) {
            warnings.add(name + " holds " + hrefs.size() + " disks; only the first, " + hrefs.getFirst() + ", is read ("
                    + String.join(", ", hrefs.subList(1, hrefs.size())) + " are not: one image is one disk)");
        }
        DiskImage disk = opener.openMember(file.slice(member.dataAt(), member.size(), member.name()));
        warnings.addAll(disk.warnings());
        return new OvaImage(file, disk, member.name(), ovf, List.copyOf(warnings));
    }

    @Override
    public String format() { return "ova"; }

    @Override
    public long size() { return disk.size(); }

    @Override
    public String describe() { return file.path() + " member " + diskName; }

    @Override
    public List<ChainLink> chain() {
        StringBuilder d = new StringBuilder(ovf.disks().size() + (ovf.disks().size() == 1 ? " disk" : " disks") + ":");
        for (OvfDescriptor.Disk k : ovf.disks()) {
            d.append(' ').append(k.id()).append(" = ").append(k.href() == null ? "(no file)" : k.href())
                    .append(" (capacity ").append(k.capacity()).append(')');
        }
        d.append("; reading ").append(diskName).append(" in place");
        List<ChainLink> out = new ArrayList<>();
        out.add(new ChainLink(file.path(), "ova", d.toString()));
        for (ChainLink l : disk.chain()) out.add(new ChainLink(l.file(), l.format() + " (OVA member " + diskName + ")", l.detail()));
        return out;
    }

    @Override
    public List<Path> files() { return List.of(file.path()); }

    @Override
    public List<Path> ownFiles() { return List.of(file.path()); }

    @Override
    public List<String> warnings() { return warnings; }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException { return disk.read(offset, dst); }

    @Override
    public List<Run> map(long offset, long length) throws IOException { return disk.map(offset, length); }

    @Override
    public void close() throws IOException {
        try {
            disk.close();
        } finally {
            file.close();
        }
    }
}
