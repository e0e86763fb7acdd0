package io.vdetach.image;

import io.vdetach.extent.Layer;
import java.util.List;
import java.util.Map;

/**
 * What an evidence container records about how it was acquired (EWF case data and stored media
 * hashes): what {@code ls} shows and {@code verify --image} checks.
 *
 * @param caseData case number, examiner, description, dates, acquisition software …, as labelled
 *     pairs in the order the container stores them
 * @param storedHashes media hashes the acquirer stored, by algorithm ("MD5", "SHA-1"), lower-case hex
 * @param readErrors sector ranges the acquirer could not read ("2048-2111 (64 sectors)"); empty when none
 * @param media the media bytes as the acquirer stored and hashed them: unlike the image's own reads,
 *     sectors it could not read are returned as stored (zeros) instead of failing
 */
public record AcquisitionInfo(Map<String, String> caseData, Map<String, String> storedHashes, List<String> readErrors,
        Layer media) {}
