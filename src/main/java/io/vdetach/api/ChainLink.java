package io.vdetach.api;

import java.nio.file.Path;

/**
 * One file of an image's chain, top first: the image itself, then its backing or parent files.
 *
 * @param detail the format's facts as {@code vdetach ls} prints them ("v3, cluster 65536 bytes, …")
 */
public record ChainLink(Path file, String format, String detail) {}
