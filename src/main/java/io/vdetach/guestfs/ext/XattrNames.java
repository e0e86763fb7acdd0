package io.vdetach.guestfs.ext;

import java.nio.charset.StandardCharsets;

/** e_name_index: the name prefix an xattr entry leaves out ("Extended Attributes", name indices). */
final class XattrNames {
    private XattrNames() {}

    static final int USER = 1;
    static final int POSIX_ACL_ACCESS = 2;
    static final int POSIX_ACL_DEFAULT = 3;
    static final int TRUSTED = 4;
    static final int SECURITY = 6;
    /** system.*: only system.data (inline data) lives here, and the kernel does not list it. */
    static final int SYSTEM = 7;
    static final int HURD = 10;

    /**
     * The name Linux lists for an entry, or null for entries the kernel keeps to itself
     * (system.data, richacl, the encryption context, unknown indices).
     */
    static String fullName(int index, byte[] suffix) {
        String s = new String(suffix, StandardCharsets.UTF_8);
        return switch (index) {
            case USER -> "user." + s;
            case POSIX_ACL_ACCESS -> "system.posix_acl_access";
            case POSIX_ACL_DEFAULT -> "system.posix_acl_default";
            case TRUSTED -> "trusted." + s;
            case SECURITY -> "security." + s;
            case HURD -> "gnu." + s;
            default -> null;
        };
    }
}
