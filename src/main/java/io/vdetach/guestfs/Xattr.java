package io.vdetach.guestfs;

/**
 * One extended attribute with its full Linux name ({@code user.x}, {@code security.selinux},
 * {@code trusted.x}, {@code system.posix_acl_access}).
 */
public record Xattr(String name, byte[] value) {}
