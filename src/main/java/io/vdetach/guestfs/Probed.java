package io.vdetach.guestfs;

/** What a volume holds, as far as extraction is concerned. */
public sealed interface Probed {

    /** A filesystem vdetach reads. */
    record Readable(GuestFilesystem filesystem) implements Probed {}

    /**
     * Something recognised but not extracted (swap, LUKS, BitLocker, Btrfs, all zeros, unknown).
     * {@code extract} skips it without error and without a directory.
     */
    record NotExtracted(String what, String why) implements Probed {}
}
