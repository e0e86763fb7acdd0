package io.vdetach.api;

/** What a guest directory entry is. */
public enum EntryType {
    FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET;

    static EntryType of(io.vdetach.guestfs.EntryType t) {
        return valueOf(t.name());
    }
}
