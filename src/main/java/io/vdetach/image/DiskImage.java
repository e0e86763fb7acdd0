package io.vdetach.image;

import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A virtual disk: a guest byte map whose {@link #map} answers, for each guest range, the
 * host file and offset holding it, a hole, or bytes to materialise (compressed grains).
 * Backing chains are resolved inside: a run served by a parent maps into the parent's file.
 *
 * <p>Deliberately not sealed: each format is its own package plus one line in
 * {@link ImageOpener#FORMATS}, and no code outside a format's package switches over the formats or
 * casts to one. What differs between formats is asked through capabilities that every image
 * answers ({@link #snapshots()}, {@link #linkId()}), so a new format that does not know a feature
 * says "none" instead of silently ignoring an option.
 */
public interface DiskImage extends Layer, AutoCloseable {

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

    /** Snapshots kept inside the image, or none: then {@code --snapshot} is refused (exit 2). */
    default Optional<Snapshots> snapshots() {
        return Optional.empty();
    }

    /** Case data and stored media hashes of an evidence container (EWF); empty for a virtual disk. */
    default Optional<AcquisitionInfo> acquisition() {
        return Optional.empty();
    }

    /**
     * How a differencing child of the same format records this image as its parent (VHD unique id,
     * VHDX DataWriteGuid, VDI modification UUID, VMDK CID), to warn when a parent changed after its
     * child was made; null when the format records none.
     */
    default String linkId() {
        return null;
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
