package io.vdetach.apply.offline.device;

import java.io.IOException;

/**
 * Lets exactly {@code allowedWrites} block writes through, then fails every later write with
 * {@link InjectedFault}: a crash at that point, for the undo tests.
 */
public final class FaultInjectingDevice extends ForwardingDevice {
    private final long allowedWrites;
    private long writes;

    public FaultInjectingDevice(BlockDevice inner, long allowedWrites) {
        super(inner);
        this.allowedWrites = allowedWrites;
    }

    /** Thrown in place of the write that comes after the allowed ones. */
    public static final class InjectedFault extends IOException {
        public InjectedFault(String message) { super(message); }
    }

    @Override
    public void write(long block, byte[] src) throws IOException {
        if (writes >= allowedWrites) {
            throw new InjectedFault("injected fault: write " + (writes + 1) + " (block " + block + ") after " + allowedWrites + " writes");
        }
        writes++;
        inner.write(block, src);
    }
}
