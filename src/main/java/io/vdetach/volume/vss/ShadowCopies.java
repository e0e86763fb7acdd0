package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.error.ImageException;
import io.vdetach.error.UnsupportedImageException;
import io.vdetach.error.VdetachException;
import io.vdetach.extent.BlockCache;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The shadow copies of one NTFS volume: its catalog read at open, each store's block list when a
 * view of it (or of an older store, which reads through it) is asked for. A store that cannot be
 * read is an error of its view only.
 */
public final class ShadowCopies {
    private final Layer volume;
    private final String name;
    private final VolumeHeader header;
    private final BlockCache cache;
    private final List<ShadowStore> stores;
    private final List<CatalogEntry.StoreLocation> locations;
    /** Why a store's header could not be read, by index - 1; null where it was. */
    private final List<VdetachException> headerProblems;
    private final List<String> warnings;
    private final Object[] loaded;

    private ShadowCopies(Layer volume, String name, VolumeHeader header, BlockCache cache, List<ShadowStore> stores,
                         List<CatalogEntry.StoreLocation> locations, List<VdetachException> headerProblems, List<String> warnings) {
        this.volume = volume;
        this.name = name;
        this.header = header;
        this.cache = cache;
        this.stores = List.copyOf(stores);
        this.locations = locations;
        this.headerProblems = headerProblems;
        this.warnings = List.copyOf(warnings);
        this.loaded = new Object[stores.size()];
    }

    /**
     * The shadow copies of {@code volume} (named {@code name} in views and messages), or null when
     * it is not NTFS or has no VSS volume header. A damaged catalog is thrown: no store can be read.
     */
    public static ShadowCopies read(Layer volume, String name, BlockCache cache) throws IOException {
        if (volume.size() < VolumeHeader.OFFSET + VolumeHeader.SIZE) return null;
        ByteBuffer boot = volume.readBytes(0, 16);
        byte[] oem = new byte[8];
        boot.get(3, oem);
        if (!"NTFS    ".equals(new String(oem, StandardCharsets.US_ASCII))) return null;
        VolumeHeader header = VolumeHeader.parse(volume.readBytes(VolumeHeader.OFFSET, VolumeHeader.SIZE), volume.size());
        List<String> warnings = new ArrayList<>();
        if (header == null || header.catalogOffset() == 0) return null;
        List<Catalog.Entry> entries = new ArrayList<>(Catalog.read(volume, header.catalogOffset(), warnings));
        // "not necessarily stored in order of age": stores are numbered by creation time
        entries.sort(Comparator.comparingLong(e -> e.copy().creationTime()));
        List<ShadowStore> stores = new ArrayList<>();
        List<CatalogEntry.StoreLocation> locations = new ArrayList<>();
        List<VdetachException> problems = new ArrayList<>();
        for (Catalog.Entry e : entries) {
            StoreInformation info = null;
            VdetachException problem = null;
            try {
                if (e.location() == null) {
                    throw new UnsupportedImageException(Vss.FORMAT, "catalog entry", e.copy().at(), "a shadow copy without a store"
                            + " in the catalog");
                }
                long at = BlockChain.blockOffset(e.location().storeHeaderOffset(), "catalog entry", e.location().at() + 32,
                        volume.size(), "store header");
                info = StoreInformation.read(volume, at);
            } catch (VdetachException x) {
                problem = x;
            }
            stores.add(new ShadowStore(stores.size() + 1, e.copy().storeId(), e.copy().creationTime(), e.copy().volumeSize(), info));
            locations.add(e.location());
            problems.add(problem);
        }
        return new ShadowCopies(volume, name, header, cache, stores, locations, problems, warnings);
    }

    public List<ShadowStore> stores() { return stores; }

    /** Why store {@code index}'s header could not be read (its information is then null); null when it was. */
    public VdetachException headerProblem(int index) {
        return headerProblems.get(index - 1);
    }

    /** What the catalog holds that was skipped. */
    public List<String> warnings() { return warnings; }

    /**
     * The volume as at store {@code index} (1-based), named {@code <name>@vss<index>}. Throws the
     * error of that store, or of a newer one it reads through.
     */
    public StoreView view(int index) throws IOException {
        if (index < 1 || index > stores.size()) throw new IllegalArgumentException("no store " + index);
        ShadowStore store = stores.get(index - 1);
        if (header.storageElsewhere()) {
            throw UnsupportedImageException.because(Vss.FORMAT, "store " + index + " of " + name + " is kept on another volume ("
                    + header.storageVolumeId() + "), not in this image's volume " + header.volumeId() + ": not read");
        }
        if (volume.size() > StoreIndex.MAX_VOLUME) {
            throw UnsupportedImageException.because(Vss.FORMAT, "shadow copies of a volume over 32 TiB are not supported ("
                    + name + ": " + volume.size() + " bytes)");
        }
        long size = store.volumeSize();
        if (size <= 0 || size % Vss.SECTOR != 0 || size > volume.size()) {
            throw new CorruptImageException(Vss.FORMAT, "catalog entry", locationOfCopy(index), "store " + index + " says the volume"
                    + " was " + size + " bytes; the volume has " + volume.size());
        }
        List<StoreIndex> chain = new ArrayList<>();
        for (int k = index; k <= stores.size(); k++) chain.add(load(k, index));
        StoreBitmap current = null, previous = null;
        if (index == stores.size()) {
            CatalogEntry.StoreLocation l = locations.get(index - 1);
            if (l.bitmapOffset() != 0) current = bitmap(l.bitmapOffset(), l.at() + 48, size, index, "current");
            if (l.previousBitmapOffset() != 0) previous = bitmap(l.previousBitmapOffset(), l.at() + 72, size, index, "previous");
        }
        return new StoreView(volume, size, name + "@vss" + index, chain, current, previous);
    }

    private long locationOfCopy(int index) {
        CatalogEntry.StoreLocation l = locations.get(index - 1);
        return l == null ? -1 : l.at();
    }

    private StoreBitmap bitmap(long offset, long field, long size, int index, String which) throws IOException {
        BlockChain.blockOffset(offset, "catalog entry", field, volume.size(), "store bitmap");
        return StoreBitmap.read(volume, offset, size, field, cache, which + " bitmap of store " + index + " of " + name);
    }

    /** Store {@code k}'s index, read once (its failure too); {@code forIndex} is the store whose view asks. */
    private synchronized StoreIndex load(int k, int forIndex) throws IOException {
        if (loaded[k - 1] == null) {
            try {
                loaded[k - 1] = readIndex(k);
            } catch (VdetachException e) {
                loaded[k - 1] = e;
            }
        }
        if (loaded[k - 1] instanceof StoreIndex s) return s;
        VdetachException e = (VdetachException) loaded[k - 1];
        if (k == forIndex || !(e instanceof ImageException x)) throw e;
        // an older store reads through every newer one
        String why = "store " + forIndex + " reads through store " + k + ", which cannot be read: " + e.getMessage();
        if (x instanceof UnsupportedImageException) throw UnsupportedImageException.because(Vss.FORMAT, why);
        throw new CorruptImageException(Vss.FORMAT, x.structure() == null ? "store" : x.structure(), x.offset(), why, e);
    }

    private StoreIndex readIndex(int k) throws IOException {
        if (headerProblems.get(k - 1) != null) throw headerProblems.get(k - 1);
        CatalogEntry.StoreLocation l = locations.get(k - 1);
        long size = volume.size();
        long list = BlockChain.blockOffset(l.blockListOffset(), "catalog entry", l.at() + 8, size, "store block list");
        StoreRanges ranges = null;
        if (l.rangeListOffset() != 0) {
            ranges = StoreRanges.read(volume, BlockChain.blockOffset(l.rangeListOffset(), "catalog entry", l.at() + 40, size,
                    "store block range list"));
        }
        return StoreBlockList.read(volume, list, ranges);
    }
}
