package io.vdetach.api;

import java.io.IOException;
import java.util.List;

/**
 * Receives a walk of a volume ({@link GuestVolume#walk}): depth first, each directory before its
 * entries, without recursion (a hostile image can be deep), directory cycles and directories
 * reached twice reported instead of followed. A failure of one entry is handed to
 * {@link #failed} and the walk goes on.
 */
public interface EntryVisitor {
    /** A directory about to be entered; false skips its entries (and its {@link #leaveDirectory}). */
    default boolean enterDirectory(Entry directory) throws IOException {
        return true;
    }

    /** Every entry of {@code directory} has been visited. */
    default void leaveDirectory(Entry directory) throws IOException {}

    /** An entry that is not a directory. */
    void visit(Entry entry) throws IOException;

    /** An entry that could not be read; {@code path} names it ("p1/etc/broken"). */
    default void failed(String path, String reason) {}

    /**
     * An entry that could not be read, with its name as the guest stores it: {@code names} are the
     * raw components below the walk's start (empty for the start itself). By default
     * {@link #failed(String, String)}.
     */
    default void failed(String path, List<byte[]> names, String reason) {
        failed(path, reason);
    }
}
