package io.vdetach.volume.bitlocker;

import io.vdetach.error.CorruptImageException;
import io.vdetach.extent.Layer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One FVE metadata block, validated: block header, metadata header and the top-level entries
 * (libyal BDE format, "FVE metadata block"). Version 2 blocks end in an 8-byte validation record
 * right after the bytes the block header counts: 2 bytes (64 KiB less that count, as measured),
 * version 2, and the CRC-32 (ISO-HDLC, as java.util.zip) of those bytes from the block start;
 * a copy whose CRC-32 does not match is not used. Vista (version 1) blocks carry no such record here.
 *
 * @param offset the block's offset in the volume
 */
record FveMetadata(long offset, FveBlockHeader block, FveMetadataHeader header, List<FveEntry> entries) {

    /** The area each metadata block occupies and that the decrypted volume reads as zeros. */
    static final int AREA_V2 = 0x10000;
    static final int AREA_V1 = 0x4000;
    private static final int VALIDATION = 8;

    static FveMetadata read(Layer volume, long offset) throws IOException {
        if (offset < 0 || offset > volume.size() - FveBlockHeader.SIZE) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block offset", offset,
                    "past the volume's end (" + volume.size() + " bytes)");
        }
        FveBlockHeader bh = FveBlockHeader.parse(volume.readBytes(offset, FveBlockHeader.SIZE), offset);
        int length = bh.version() == 2 ? bh.validatedBytes() + VALIDATION : (int) Math.min(AREA_V1, volume.size() - offset);
        if (length > volume.size() - offset) {
            throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block size", offset + 8,
                    length + " bytes run past the volume's end (" + volume.size() + " bytes)");
        }
        ByteBuffer b = volume.readBytes(offset, length);
        int room = length - FveBlockHeader.SIZE;
        if (bh.version() == 2) {
            int n = bh.validatedBytes();
            int version = Short.toUnsignedInt(b.getShort(n + 2));
            long stored = Integer.toUnsignedLong(b.getInt(n + 4));
            CRC32 crc = new CRC32();
            crc.update(b.array(), 0, n);
            if (version != 2 || crc.getValue() != stored) {
                throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata block validation", offset + n,
                        version != 2 ? "version " + version + ", not 2"
                                : String.format("CRC-32 %08x where the block's bytes give %08x", stored, crc.getValue()));
            }
            room = n - FveBlockHeader.SIZE;
        }
        FveMetadataHeader mh = FveMetadataHeader.parse(b, FveBlockHeader.SIZE, offset + FveBlockHeader.SIZE, room);
        int from = FveBlockHeader.SIZE + FveMetadataHeader.SIZE;
        List<FveEntry> entries = FveEntry.parseAll(b.array(), from, FveBlockHeader.SIZE + mh.metadataSize(), offset);
        return new FveMetadata(offset, bh, mh, entries);
    }

    /** The first block of the three that is valid; when none is, the first one's error names every copy's. */
    static FveMetadata readValid(Layer volume, long[] offsets) throws IOException {
        List<String> problems = new ArrayList<>();
        CorruptImageException first = null;
        for (long o : offsets) {
            try {
                return read(volume, o);
            } catch (CorruptImageException e) {
                if (first == null) first = e;
                problems.add(e.getMessage());
            }
        }
        if (first == null) throw new CorruptImageException(VolumeHeader.FORMAT, "volume header", 0, "no FVE metadata block offsets");
        throw new CorruptImageException(VolumeHeader.FORMAT, first.structure(), first.offset(),
                "no valid copy of the FVE metadata: " + String.join("; ", problems));
    }

    int area() { return block.version() == 2 ? AREA_V2 : AREA_V1; }

    /** The description entry's text ("DESKTOP-NPM7RCA H: 7/4/2019"), or "". */
    String description() {
        for (FveEntry e : entries) {
            if (e.type() == FveEntry.TYPE_DESCRIPTION && e.valueType() == FveEntry.VALUE_STRING) return e.text();
        }
        return "";
    }

    List<KeyProtector> protectors() {
        List<KeyProtector> out = new ArrayList<>();
        for (FveEntry e : entries) {
            if (e.type() == FveEntry.TYPE_VMK && e.valueType() == FveEntry.VALUE_VMK) out.add(KeyProtector.of(e));
        }
        return out;
    }

    /** The wrapped FVEK (an AES-CCM encrypted key entry of type FVEK). */
    FveEntry fvek() {
        for (FveEntry e : entries) {
            if (e.type() == FveEntry.TYPE_FVEK && e.valueType() == FveEntry.VALUE_AES_CCM) return e;
        }
        throw new CorruptImageException(VolumeHeader.FORMAT, "FVE metadata entries", offset, "no FVEK entry");
    }

    /** The volume header block entry (offset and size of the relocated boot sectors), or null. */
    FveEntry volumeHeaderBlock() {
        for (FveEntry e : entries) {
            if (e.type() == FveEntry.TYPE_VOLUME_HEADER_BLOCK && e.valueType() == FveEntry.VALUE_OFFSET_SIZE) return e;
        }
        return null;
    }

}
