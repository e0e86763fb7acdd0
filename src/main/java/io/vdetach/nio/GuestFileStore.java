package io.vdetach.nio;

import io.vdetach.api.GuestVolume;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * One volume as a read-only file store: its name, its filesystem's type, its size; or, for the
 * image's root, the image (named after its file, typed by its format, of its virtual size).
 * Attributes {@code vdetach:label}, {@code vdetach:blockSize}, {@code vdetach:scheme},
 * {@code vdetach:start}, {@code vdetach:partitionType}, {@code vdetach:partitionLabel}.
 */
final class GuestFileStore extends FileStore {
    private final GuestFileSystem fs;
    /** Null for the image's root. */
    private final GuestVolume volume;

    GuestFileStore(GuestFileSystem fs, GuestVolume volume) {
        this.fs = fs;
        this.volume = volume;
    }

    @Override
    public String name() { return volume == null ? fs.image().path().getFileName().toString() : volume.name(); }

    /** "ext4", "ntfs", "vfat", "exfat", "xfs" for a volume; the image's format for the image's root. */
    @Override
    public String type() { return volume == null ? fs.image().format() : volume.contentType(); }

    @Override
    public boolean isReadOnly() { return true; }

    @Override
    public long getTotalSpace() { return volume == null ? fs.image().size() : volume.size(); }

    /** Nothing can be written. */
    @Override
    public long getUsableSpace() { return 0; }

    /** The volume's size less what its filesystem counts as used; 0 when it does not say. */
    @Override
    public long getUnallocatedSpace() {
        if (volume == null || volume.usedBytes() < 0) return 0;
        return Math.max(0, volume.size() - volume.usedBytes());
    }

    @Override
    public long getBlockSize() {
        return volume == null || volume.blockSize() == 0 ? 512 : volume.blockSize();
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == PosixFileAttributeView.class || type == FileOwnerAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return AttributeMaps.VIEWS.contains(name);
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    @Override
    public Object getAttribute(String attribute) {
        String name = attribute.startsWith("vdetach:") ? attribute.substring("vdetach:".length()) : attribute;
        if (volume == null) {
            return switch (name) {
                case "totalSpace" -> getTotalSpace();
                case "usableSpace" -> getUsableSpace();
                case "unallocatedSpace" -> getUnallocatedSpace();
                case "format" -> fs.image().format();
                default -> throw new UnsupportedOperationException("file store attribute " + attribute);
            };
        }
        return switch (name) {
            case "totalSpace" -> getTotalSpace();
            case "usableSpace" -> getUsableSpace();
            case "unallocatedSpace" -> getUnallocatedSpace();
            case "label" -> volume.filesystemLabel();
            case "blockSize" -> volume.blockSize();
            case "scheme" -> volume.scheme();
            case "start" -> volume.start();
            case "partitionType" -> volume.partitionType();
            case "partitionLabel" -> volume.partitionLabel();
            default -> throw new UnsupportedOperationException("file store attribute " + attribute);
        };
    }

    @Override
    public String toString() { return name() + " (" + type() + ")"; }
}
