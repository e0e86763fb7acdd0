package io.vdetach.apply;

/** Receives progress of long work; the CLI draws a line on a terminal. */
public interface Progress {
    Progress NONE = new Progress() {
        @Override public void update(long files, long bytes, long bytesShared) { }
        @Override public void done() { }
    };

    /** What the run is expected to process, as estimates for the ETA; 0 when unknown. */
    default void expect(long totalBytes, long totalEntries) { }

    /** Called often; implementations rate-limit their output. */
    void update(long files, long bytes, long bytesShared);

    void done();
}
