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
        try (OfflineSession s = OfflineSession.open(device, imagePathInFs)) {
            return s.detach(toPathInFs, source.items(s.image()), options);
        }
    }

    /** Restores every block saved in {@code undoFile}; returns how many. */
    public static long undo(Path device, Path undoFile) throws IOException {
        HostGuard.checkNotInUse(device);
        int bs = UndoLog.blockSizeOf(undoFile);
        try (FileBlockDevice dev = FileBlockDevice.open(device, bs, true)) {
            return UndoLog.restore(undoFile, dev);
        }
    }
}
