package io.vdetach.apply.offline;

/**
 * Why a block of an extracted file is written anew instead of handed over: the keys of
 * {@link OfflineReport#bytesCopiedByReason()}.
 */
final class CopyReason {
    private CopyReason() {}

    /**
     * Stored whole in the image but at a device offset that is not a multiple of the host block
     * (VHD dynamic: each block follows a 512-byte sector bitmap; a partition at sector 63).
     */
    static final String UNALIGNED = "unaligned";
    /** The block holds bytes of several runs (a guest block smaller than the host's, data next to a hole). */
    static final String PARTIAL_BLOCK = "partial_block";
    /** The block was already handed to another file, or to this one at another place (deduplicated guest data). */
    static final String SHARED = "shared";
    /** In a backing/parent file that stays (other images may share it; {@code --detach-backing} hands it over). */
    static final String BACKING_FILE = "backing_file";
    /** In a file on another filesystem than the host's (a backing file named by an absolute path). */
    static final String OTHER_FILESYSTEM = "other_filesystem";
    /** On the device, but in no file of the image's chain (only a hand-made map does that). */
    static final String OUTSIDE_IMAGE = "outside_image";
    /** The file has no map at all: its bytes can only be read. */
    static final String UNMAPPED = "unmapped";

    /** Bytes not stored as-is anywhere (compressed clusters, resident data …): "materialised: " and the reader's reason. */
    static String materialised(String why) {
        return "materialised: " + why;
    }
}
