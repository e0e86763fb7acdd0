package io.vdetach.image;

import io.vdetach.extent.Layer;
import io.vdetach.image.qcow2.Qcow2Image;
import io.vdetach.image.raw.RawImage;
import io.vdetach.image.vdi.VdiImage;
import io.vdetach.image.vhd.VhdImage;
import io.vdetach.image.vhdx.VhdxImage;
import io.vdetach.image.vmdk.VmdkImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A virtual disk: a guest byte map whose {@link #map} answers, for each guest range, the
 * host file and offset holding it, a hole, or bytes to materialise (compressed grains).
 * Backing chains are resolved inside: a run served by a parent maps into the parent's file.
 */
public sealed interface DiskImage extends Layer, AutoCloseable
        permits RawImage, Qcow2Image, VhdImage, VhdxImage, VmdkImage, VdiImage {

    /** Format name as users know it: "raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi". */
    String format();

    /** One line per layer of the chain, top first: file, format, subformat, facts. */
    List<ChainLink> chain();

    /** Every host file this image reads (descriptor, extents, parents). */
    default List<Path> files() {
        return chain().stream().map(ChainLink::file).toList();
    }

    /**
     * The files that make up this image itself, without backing/parent images (which other
     * images may share): what {@code detach} deletes. Formats with several files (VMDK
     * descriptor and extents) list them all.
     */
    default List<Path> ownFiles() {
        return List.of(chain().getFirst().file());
    }

    /** Things a user should know that do not stop reading (dirty bit set, …). */
    default List<String> warnings() {
        return List.of();
    }

    @Override
    void close() throws IOException;

    /** One file of a chain as {@code ls} shows it. */
    record ChainLink(Path file, String format, String detail) {

        /** This link followed by {@code parent}'s chain (none when parent is null). */
        public List<ChainLink> then(DiskImage parent) {
            List<ChainLink> out = new java.util.ArrayList<>();
            out.add(this);
            if (parent != null) out.addAll(parent.chain());
            return out;
        }
    }
}
