package io.vdetach.guestfs.ntfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file's base MFT record with the attributes of all its extension records (gathered through
 * $ATTRIBUTE_LIST), grouped the way readers need them.
 */
record FileRecord(long id, MftRecord header, List<Attribute> attributes) {

    StandardInformation standardInformation() {
        for (Attribute a : attributes) {
            if (a.type() == Attribute.STANDARD_INFORMATION && a.resident()) return StandardInformation.parse(a.value());
        }
        return null;
    }

    /** $FILE_NAME values that are not DOS-only short names. */
    int nonDosNames() {
        int n = 0;
        for (Attribute a : attributes) {
            if (a.type() != Attribute.FILE_NAME || !a.resident()) continue;
            FileName fn = FileName.parse(java.nio.ByteBuffer.wrap(a.value()).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0, a.value().length);
            if (fn != null && fn.namespace() != FileName.DOS) n++;
        }
        return n;
    }

    /** $DATA attribute pieces by stream name ("" is the unnamed stream), in first-seen order. */
    Map<String, List<Attribute>> streams() {
        Map<String, List<Attribute>> out = new LinkedHashMap<>();
        for (Attribute a : attributes) {
            if (a.type() == Attribute.DATA) out.computeIfAbsent(a.name(), k -> new ArrayList<>()).add(a);
        }
        return out;
    }
}
