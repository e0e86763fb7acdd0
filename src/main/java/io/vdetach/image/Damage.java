package io.vdetach.image;

import io.vdetach.error.CorruptImageException;

/**
 * A damaged structure as a value, for formats that keep two copies (VHD footers, VHDX headers and
 * region tables): each copy's damage is kept, and when both are bad one error names both.
 */
public record Damage(String format, String structure, long offset, String detail) {

    public CorruptImageException exception() {
        return new CorruptImageException(format, structure, offset, detail);
    }

    /** "footer at offset 1536: checksum …", to list beside another copy's damage. */
    @Override
    public String toString() {
        return structure + " at offset " + offset + ": " + detail;
    }
}
