package io.vdetach.api;

import java.util.List;

/**
 * The VSS stores of an NTFS volume ({@link GuestVolume#shadowCopies()}).
 *
 * @param warnings what the catalog says that does not stop reading (a store without a header, …)
 */
public record ShadowCopies(List<ShadowCopy> stores, List<String> warnings) {
    public ShadowCopies {
        stores = List.copyOf(stores);
        warnings = List.copyOf(warnings);
    }

    static ShadowCopies of(String volume, io.vdetach.volume.vss.ShadowCopies c) {
        List<ShadowCopy> list = new java.util.ArrayList<>();
        for (io.vdetach.volume.vss.ShadowStore s : c.stores()) {
            io.vdetach.volume.vss.StoreInformation i = s.information();
            io.vdetach.error.VdetachException p = c.headerProblem(s.index());
            list.add(new ShadowCopy(s.index(), volume + "@vss" + s.index(), s.id().toString(), s.created(), s.creationTime(),
                    s.volumeSize(), i == null ? -1 : i.attributeFlags(), i == null ? null : i.shadowCopyId().toString(),
                    i == null ? null : i.shadowCopySetId().toString(), i == null ? null : i.operatingMachine(),
                    i == null ? null : i.serviceMachine(), p == null ? null : p.getMessage()));
        }
        return new ShadowCopies(list, c.warnings());
    }
}
