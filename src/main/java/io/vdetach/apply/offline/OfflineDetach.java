package io.vdetach.apply.offline;

import io.vdetach.apply.offline.device.FileBlockDevice;
import io.vdetach.apply.offline.device.UndoLog;
import io.vdetach.image.DiskImage;
import io.vdetach.image.OpenOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry points of {@code vdetach offline detach} and {@code vdetach offline undo}: turn an image
 * file inside an unmounted ext4 host into host files that own the image's blocks.
 */
public final class OfflineDetach {
    private OfflineDetach() {}

    /** Builds the items once the guest disk can be read (from the device, through {@link OfflineSession#disk()}). */
    @FunctionalInterface
    public interface ItemSource {
        List<OfflineItem> items(DiskImage disk) throws IOException;
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
        return run(device, partition, imagePathInFs, OpenOptions.DEFAULT, toPathInFs, source, options);
    }

    /**
     * As above, the image (any format vdetach reads) opened with {@code open}: its backing files are
     * looked for inside the host, by the same rules as on a running system.
     */
    public static OfflineReport run(Path device, String partition, String imagePathInFs, OpenOptions open, String toPathInFs,
                                    ItemSource source, OfflineOptions options) throws IOException {
        try (OfflineSession s = OfflineSession.open(device, partition, imagePathInFs, open)) {
            return s.detach(toPathInFs, source.items(s.disk()), options);
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
