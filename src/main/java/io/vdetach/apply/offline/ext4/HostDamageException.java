package io.vdetach.apply.offline.ext4;

import io.vdetach.error.HostException;
import io.vdetach.error.ImageException;

/**
 * The unmounted ext4 host being written is damaged: the host is unusable until e2fsck has
 * repaired it (exit 4, the host refused), while the image is not at fault. Names the host
 * structure and its byte offset on the device.
 */
public final class HostDamageException extends HostException {
    private final String structure;
    private final long deviceOffset;

    /** A check of the writer's own: {@code deviceOffset} is where {@code structure} lies on the device, or -1. */
    public HostDamageException(String device, String structure, long deviceOffset, String detail) {
        super(device + ": the ext4 host is damaged: " + structure + (deviceOffset >= 0 ? " at device offset " + deviceOffset : "")
                + ": " + detail + "; run e2fsck on the host first");
        this.structure = structure;
        this.deviceOffset = deviceOffset;
    }

    /** What the ext4 codec found in the host filesystem, which starts at {@code base} on the device. */
    public HostDamageException(String device, long base, ImageException found) {
        super(device + ": the ext4 host is damaged: " + found.getMessage()
                + (found.offset() >= 0 ? " (device offset " + (base + found.offset()) + ")" : "") + "; run e2fsck on the host first", found);
        this.structure = found.structure();
        this.deviceOffset = found.offset() >= 0 ? base + found.offset() : -1;
    }

    public String structure() { return structure; }

    /** Byte offset on the device, or -1 when no byte is to blame. */
    public long deviceOffset() { return deviceOffset; }
}
