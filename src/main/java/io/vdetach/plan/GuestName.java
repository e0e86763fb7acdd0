package io.vdetach.plan;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Turns an untrusted guest name into one safe host path component. '/' and NUL cannot be in
 * a Linux name: they are percent-encoded (and '%' with them, so the mapping is reversible).
 * Empty, "." and ".." are refused: they would leave the directory. Names longer than the
 * host's 255-byte limit are cut and marked.
 */
public final class GuestName {
    private GuestName() {}

    /** NAME_MAX on Linux filesystems. */
    public static final int NAME_MAX = 255;

    public sealed interface Result {}

    public record Safe(byte[] name) implements Result {}

    public record Renamed(byte[] name, String reason) implements Result {}

    public record Refused(String reason) implements Result {}

    public static Result sanitize(byte[] raw) {
        if (raw.length == 0) return new Refused("empty name");
        if (Arrays.equals(raw, new byte[] {'.'}) || Arrays.equals(raw, new byte[] {'.', '.'})) {
            return new Refused("name \"" + new String(raw) + "\" would leave its directory");
        }
        boolean unsafe = false;
        for (byte b : raw) {
            if (b == '/' || b == 0) {
                unsafe = true;
                break;
            }
        }
        byte[] name = raw;
        String reason = null;
        if (unsafe) {
            ByteArrayOutputStream o = new ByteArrayOutputStream(raw.length + 8);
            for (byte b : raw) {
                if (b == '/' || b == 0 || b == '%') {
                    o.write('%');
                    o.writeBytes(String.format("%02X", b & 0xff).getBytes());
                } else {
                    o.write(b);
                }
            }
            name = o.toByteArray();
            reason = "name holds '/' or NUL: percent-encoded";
        }
        if (name.length > NAME_MAX) {
            name = cut(name, NAME_MAX - 4);
            byte[] marked = Arrays.copyOf(name, name.length + 4);
            System.arraycopy(new byte[] {'~', 'c', 'u', 't'}, 0, marked, name.length, 4);
            name = marked;
            reason = (reason == null ? "" : reason + "; ") + "name longer than " + NAME_MAX + " bytes: cut";
        }
        return reason == null ? new Safe(name) : new Renamed(name, reason);
    }

    /** Cuts at most {@code max} bytes without splitting a UTF-8 sequence. */
    private static byte[] cut(byte[] b, int max) {
        int n = max;
        while (n > 0 && (b[n] & 0xc0) == 0x80) n--;
        return Arrays.copyOf(b, n);
    }
}
