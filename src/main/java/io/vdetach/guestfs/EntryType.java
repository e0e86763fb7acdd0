package io.vdetach.guestfs;

/** What a guest directory entry is. */
public enum EntryType {
    FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET
}
