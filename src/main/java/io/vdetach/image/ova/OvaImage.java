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
 * <p>An OVA with several disks offers them all through {@link #disks()} (each volume is extracted
 * under its disk's name); read as one disk (dump, offline detach) it is its first.
 */
public final class OvaImage implements DiskImage {
    /** A ustar header whose first member is the .ovf (DSP0243 puts it first), or a pax/GNU extension header before it. */
    public static final ImageFormat FORMAT = new ImageFormat("ova", OvaImage::probe, OvaImage::open);

    /** Disks opened from one appliance; a virtual machine has a handful (VirtualBox allows 30 SATA ports). */
    static final int MAX_DISKS = 64;

    private final HostFile file;
    private final DiskImage disk;
    private final String diskName;
    private final OvfDescriptor ovf;
    private final List<String> warnings;
    /** Every disk of the OVF, the first being {@link #disk}. */
    private final List<NamedDisk> disks;

    private OvaImage(HostFile file, DiskImage disk, String diskName, OvfDescriptor ovf, List<String> warnings,
                     List<NamedDisk> disks) {
        this.file = file;
        this.disks = disks;
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
        java.util.LinkedHashSet<String> distinct = new java.util.LinkedHashSet<>();
        for (OvfDescriptor.Disk d : ovf.disks()) if (d.href() != null) distinct.add(d.href());
        List<String> hrefs = List.copyOf(distinct);
        if (hrefs.size() > MAX_DISKS) {
            throw new UnsupportedImageException("ova", "OVF DiskSection", desc.dataAt(), name + ": " + hrefs.size()
                    + " disk files (at most " + MAX_DISKS + ")");
        }
        if (hrefs.isEmpty()) {
            throw new UnsupportedImageException("ova", "OVF DiskSection", desc.dataAt(), "an OVA without a disk file (" + name + ")");
        }
        List<TarMembers.Member> diskMembers = new ArrayList<>();
        for (String href : hrefs) diskMembers.add(member(members, href, desc, name));
        List<String> warnings = new ArrayList<>();
        List<NamedDisk> disks = new ArrayList<>();
        try {
            for (int i = 0; i < diskMembers.size(); i++) {
                TarMembers.Member m = diskMembers.get(i);
                DiskImage d = opener.openMember(file.slice(m.dataAt(), m.size(), m.name()));
                disks.add(new NamedDisk(diskName(i, diskMembers), d));
                warnings.addAll(d.warnings());
            }
        } catch (IOException | RuntimeException e) {
            for (NamedDisk d : disks) d.disk().close();
            throw e;
        }
        TarMembers.Member member = diskMembers.getFirst();
        DiskImage disk = disks.getFirst().disk();
        return new OvaImage(file, disk, member.name(), ovf, List.copyOf(warnings), List.copyOf(disks));
    }

    private static TarMembers.Member member(List<TarMembers.Member> members, String href, TarMembers.Member desc, String name)
            throws CorruptImageException {
        for (TarMembers.Member m : members) if (m.name().equals(href)) return m;
        throw new CorruptImageException("ova", "OVF References", desc.dataAt(), name + ": disk file \"" + href
                + "\" is not a member of the archive");
    }

    /**
     * The directory a disk's volumes go under: its member's file name without the extension
     * ("disk1" for "disk1.vmdk"), the whole file name when two disks would share that, and
     * "disk<N>" when the name cannot be one directory name.
     */
    static String diskName(int index, List<TarMembers.Member> all) {
        String file = fileName(all.get(index).name());
        String stem = stem(file);
        long same = all.stream().filter(m -> stem(fileName(m.name())).equals(stem)).count();
        String name = same > 1 ? file : stem;
        boolean usable = !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('\0') < 0;
        return usable ? name : "disk" + (index + 1);
    }

    private static String fileName(String member) {
        return member.substring(member.lastIndexOf('/') + 1);
    }

    private static String stem(String file) {
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
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
        d.append(disks.size() > 1 ? "; reading each in place" : "; reading " + diskName + " in place");
        List<ChainLink> out = new ArrayList<>();
        out.add(new ChainLink(file.path(), "ova", d.toString()));
        for (NamedDisk nd : disks) {
            String member = nd.disk() == disk ? diskName : nd.name();
            for (ChainLink l : nd.disk().chain()) out.add(new ChainLink(l.file(), l.format() + " (OVA member " + member + ")", l.detail()));
        }
        return out;
    }

    @Override
    public List<Path> files() { return List.of(file.path()); }

    @Override
    public List<Path> ownFiles() { return List.of(file.path()); }

    @Override
    public List<String> warnings() { return warnings; }

    @Override
    public List<NamedDisk> disks() { return disks.size() > 1 ? disks : List.of(); }

    @Override
    public int read(long offset, ByteBuffer dst) throws IOException { return disk.read(offset, dst); }

    @Override
    public List<Run> map(long offset, long length) throws IOException { return disk.map(offset, length); }

    @Override
    public void close() throws IOException {
        try {
            for (NamedDisk d : disks) d.disk().close();
        } finally {
            file.close();
        }
    }
}
