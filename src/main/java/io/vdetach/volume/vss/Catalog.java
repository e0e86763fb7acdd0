package io.vdetach.volume.vss;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The catalog ("Catalog"): its blocks read in chain order, each shadow copy entry (type 0x02)
 * paired with the store location entry (type 0x03) of the same store identifier.
 */
final class Catalog {
    private Catalog() {}

    /** Windows keeps at most 512 shadow copies of a volume. */
    static final int MAX_STORES = 512;

    /** 512 stores take 1,024 entries, 9 blocks; a longer catalog chain is damaged (or loops). */
    private static final BlockChain.Limit LIMIT = new BlockChain.Limit(256, false, "512 stores need 9");

    /** A shadow copy and its store's location (null when the catalog has none). */
    record Entry(CatalogEntry.ShadowCopy copy, CatalogEntry.StoreLocation location) {}

    /** The entries in catalog order; {@code warnings} receives what was skipped. */
    static List<Entry> read(Layer volume, long first, List<String> warnings) throws IOException {
        Map<UUID, CatalogEntry.ShadowCopy> copies = new LinkedHashMap<>();
        Map<UUID, CatalogEntry.StoreLocation> locations = new HashMap<>();
        BlockChain.walk(volume, first, BlockHeader.CATALOG, LIMIT, false, (b, at, h) -> {
            for (int pos = BlockHeader.SIZE; pos + CatalogEntry.SIZE <= Vss.BLOCK; pos += CatalogEntry.SIZE) {
                switch (CatalogEntry.parse(b, pos, at)) {
                    case null -> { }
                    case CatalogEntry.ShadowCopy c -> {
                        if (copies.putIfAbsent(c.storeId(), c) != null) {
                            throw new CorruptImageException(Vss.FORMAT, "catalog entry", c.at() + 16, "store " + c.storeId()
                                    + " is described twice");
                        }
                        if (copies.size() > MAX_STORES) {
                            throw new CorruptImageException(Vss.FORMAT, "catalog entry", c.at(), "more than " + MAX_STORES
                                    + " shadow copies (the most Windows keeps of a volume)");
                        }
                    }
                    case CatalogEntry.StoreLocation l -> {
                        if (locations.putIfAbsent(l.storeId(), l) != null) {
                            throw new CorruptImageException(Vss.FORMAT, "catalog entry", l.at() + 16, "store " + l.storeId()
                                    + " is located twice");
                        }
                    }
                    case CatalogEntry.Unknown u -> warnings.add("catalog entry at offset " + u.at() + " of type " + u.type()
                            + ", which vdetach does not know: skipped");
                }
            }
        });
        List<Entry> out = new ArrayList<>();
        for (CatalogEntry.ShadowCopy c : copies.values()) out.add(new Entry(c, locations.remove(c.storeId())));
        for (CatalogEntry.StoreLocation l : locations.values()) {
            warnings.add("catalog entry at offset " + l.at() + " locates store " + l.storeId() + ", which no shadow copy entry"
                    + " describes: skipped");
        }
        return out;
    }
}
