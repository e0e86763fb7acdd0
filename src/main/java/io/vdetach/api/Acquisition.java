package io.vdetach.api;

import java.util.List;
import java.util.Map;

/**
 * What an evidence container (E01) records about its acquisition.
 *
 * @param caseData case number, examiner, description, dates, software …, in the order stored
 * @param storedHashes media hashes the acquirer stored, by algorithm ("MD5", "SHA-1"), lower-case hex
 * @param readErrors sector ranges the acquirer could not read ("2048-2111 (64 sectors)")
 */
public record Acquisition(Map<String, String> caseData, Map<String, String> storedHashes, List<String> readErrors) {
    public Acquisition {
        caseData = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(caseData));
        storedHashes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(storedHashes));
        readErrors = List.copyOf(readErrors);
    }
}
