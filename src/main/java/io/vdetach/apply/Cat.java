package io.vdetach.apply;

import io.vdetach.extent.Layer;
import io.vdetach.guestfs.EntryType;
import io.vdetach.plan.OpenedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Locale;

/** cat: one guest file's content, read through the guest layers, into a channel (stdout). */
public final class Cat {
    private Cat() {}

    /** @param guestPath the volume first: p1/etc/hosts */
    public record Request(ImageSource image, String guestPath) {}

    /**
     * @param bytes what was written
     * @param refused why nothing was written (the path names nothing, or no regular file); null when the file was
     */
    public record Result(long bytes, String refused) {}

    /** Writes the file to {@code out}, or refuses a path that names no regular file (as cat, exit 1). */
    public static Result run(Request r, WritableByteChannel out) throws IOException {
        try (OpenedImage img = r.image().openImage()) {
            GuestPaths.Found f;
            switch (GuestPaths.find(img, r.guestPath())) {
                case GuestPaths.Missing m -> {
                    return new Result(0, m.why());
                }
                case GuestPaths.Found found -> f = found;
            }
            if (f.node().type() != EntryType.FILE) {
                String what = f.node().type().name().toLowerCase(Locale.ROOT);
                if (f.node().symlinkTarget() != null) {
                    what += " to " + new String(f.node().symlinkTarget(), java.nio.charset.StandardCharsets.UTF_8);
                }
                return new Result(0, r.guestPath() + ": not a regular file (" + what + ")");
            }
            Layer content = f.fs().content(f.node());
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < content.size(); ) {
                buf.clear().limit((int) Math.min(buf.capacity(), content.size() - pos));
                content.readFully(pos, buf);
                buf.flip();
                pos += buf.remaining();
                while (buf.hasRemaining()) out.write(buf);
            }
            return new Result(content.size(), null);
        }
    }
}
