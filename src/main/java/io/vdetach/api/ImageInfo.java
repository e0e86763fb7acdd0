package io.vdetach.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The container an image is: what {@link Image#describe} reads without opening any volume, and
 * {@link Image#info()} of an opened image.
 *
 * @param format "raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "ewf", …
 * @param size the guest disk's virtual size in bytes
 * @param chain the image file, then its backing or parent files
 * @param warnings what does not stop reading (a dirty log replayed in memory, a missing delta skipped, …)
 * @param snapshots internal snapshots; empty when there are none
 * @param keepsSnapshots whether the format keeps snapshots inside at all ({@link ImageOptions#withSnapshot} is refused otherwise)
 * @param acquisition case data and stored hashes of an evidence container; empty for a virtual disk
 */
public record ImageInfo(Path path, String format, long size, List<ChainLink> chain, List<String> warnings,
                        List<Snapshot> snapshots, boolean keepsSnapshots, Optional<Acquisition> acquisition) {
    public ImageInfo {
        chain = List.copyOf(chain);
        warnings = List.copyOf(warnings);
        snapshots = List.copyOf(snapshots);
    }

    static ImageInfo of(Path path, io.vdetach.image.DiskImage d) {
        List<ChainLink> chain = d.chain().stream().map(l -> new ChainLink(l.file(), l.format(), l.detail())).toList();
        List<Snapshot> snaps = d.snapshots().map(s -> s.list().stream()
                .map(e -> new Snapshot(e.id(), e.name(), e.size(), e.date())).toList()).orElse(List.of());
        Optional<Acquisition> acq = d.acquisition().map(a -> new Acquisition(a.caseData(), a.storedHashes(), a.readErrors()));
        return new ImageInfo(path, d.format(), d.size(), chain, d.warnings(), snaps, d.snapshots().isPresent(), acq);
    }
}
