package io.vdetach.api;

/**
 * Receives the progress of an extraction, from the threads doing it: implementations must be
 * thread-safe and cheap (they are called often; rate-limit any output).
 */
public interface ExtractionProgress {
    /** Reports nothing. */
    ExtractionProgress NONE = (files, bytes, bytesShared) -> { };

    /** What the run is expected to process, from the filesystems' own counters; 0 when unknown. Called once, first. */
    default void expect(long totalBytes, long totalEntries) {}

    /** Entries and data bytes done so far, and how many of those bytes were shared. */
    void update(long files, long bytes, long bytesShared);

    /** The run has ended (also when it failed). */
    default void done() {}
}
