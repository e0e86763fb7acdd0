package io.vdetach.apply.offline;

import io.vdetach.apply.offline.device.FileBlockDevice;
import io.vdetach.apply.offline.device.UndoLog;
import io.vdetach.extent.Layer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry points of {@code vdetach offline detach} and {@code vdetach offline undo}: turn an image
 * file inside an unmounted ext4 host into host files that own the image's blocks.
 */
public final class OfflineDetach {
    private OfflineDetach() {}

    /** Builds the items once the image can be read (from the device, through {@link OfflineSession#image()}). */
    @FunctionalInterface
    public interface ItemSource {
        List<OfflineItem> items(Layer image) throws IOException;
    }

    /**
     * Opens {@code device}, lets {@code source} build the items on the image found at
     * {@code imagePathInFs}, and detaches them to {@code toPathInFs}.
     */
    public static OfflineReport run(Path device, String imagePathInFs, String toPathInFs, ItemSource source,
                                    OfflineOptions options) throws IOException {
        return run(device, null, imagePathInFs, toPathInFs, source, options);
    }

    /**
     * As above, for a whole disk: {@code partition} names the host partition (p1 … or its number);
     * null finds the one whose ext4 filesystem holds the image (or uses DEV itself when it is ext4).
     */
    public static OfflineReport run(Path device, String partition, String imagePathInFs, String toPathInFs, ItemSource source,
                                    OfflineOptions options) throws IOException {
        try (OfflineSession s = OfflineSession.open(device, partition, imagePathInFs)) {
            return s.detach(toPathInFs, source.items(s.image()), options);
        }
    }

    /** Restores every block saved in {@code undoFile}; returns how many. */
    public static long undo(Path device, Path undoFile) throws IOException {
        HostGuard.checkNotInUse(device);
        UndoLog.Header h = UndoLog.header(undoFile);
        try (FileBlockDevice dev = FileBlockDevice.open(device, h.blockSize(), true, h.offset(), h.blocks() * h.blockSize())) {
            return UndoLog.restore(undoFile, dev);
        }
    }
}
