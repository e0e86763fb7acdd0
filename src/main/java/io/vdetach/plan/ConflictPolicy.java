package io.vdetach.plan;

import java.util.Arrays;

/** What to do when a name already exists in DEST (--on-conflict). */
public enum ConflictPolicy {
    RENAME, SKIP, OVERWRITE, FAIL;

    /** "name (n).ext" for files with an extension, "name (n)" otherwise; dot-files keep their dot. */
    public static byte[] renamed(byte[] name, int n) {
        int dot = -1;
        for (int i = name.length - 1; i > 0; i--) {
            if (name[i] == '.') {
                dot = i;
                break;
            }
        }
        byte[] suffix = (" (" + n + ")").getBytes();
        byte[] base = dot > 0 ? Arrays.copyOf(name, dot) : name;
        byte[] ext = dot > 0 ? Arrays.copyOfRange(name, dot, name.length) : new byte[0];
        int room = GuestName.NAME_MAX - suffix.length - ext.length;
        if (base.length > room) base = Arrays.copyOf(base, Math.max(1, room));
        byte[] out = new byte[base.length + suffix.length + ext.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(suffix, 0, out, base.length, suffix.length);
        System.arraycopy(ext, 0, out, base.length + suffix.length, ext.length);
        return out;
    }
}
