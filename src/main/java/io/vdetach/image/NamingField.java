package io.vdetach.image;

/**
 * A field of an image that names another file (backing file, parent locator, extent line, data
 * file name): what errors about that file name.
 *
 * @param offset the field's byte offset in the naming file
 */
public record NamingField(String format, String structure, long offset) {}
