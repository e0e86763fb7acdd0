package io.vdetach.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where an evidence output goes: a new file (one that exists is refused: evidence is never
 * overwritten) or standard output ({@code -} on the command line), which is flushed, never closed.
 */
public sealed interface Output {

    /** A file created by the run. */
    record ToFile(Path path) implements Output {
        @Override public String toString() { return path.toString(); }
    }

    /** A stream the run does not own (stdout). */
    record ToStream(OutputStream stream) implements Output {
        @Override public String toString() { return "-"; }
    }

    /** "-" is {@code stdout}, anything else a path. */
    static Output of(String argument, OutputStream stdout) {
        return "-".equals(argument) ? new ToStream(stdout) : new ToFile(Path.of(argument));
    }

    default boolean isStream() {
        return this instanceof ToStream;
    }

    /** Opened for lines (a manifest, a bodyfile). */
    default LineWriter lines() throws IOException {
        return switch (this) {
            case ToFile f -> LineWriter.create(f.path());
            case ToStream s -> LineWriter.to(s.stream());
        };
    }

    /** Opened for bytes (a tar archive); closing the channel of a stream only flushes it. */
    default WritableByteChannel channel() throws IOException {
        return switch (this) {
            case ToFile f -> FileChannel.open(f.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            case ToStream s -> new WritableByteChannel() {
                private final WritableByteChannel ch = Channels.newChannel(s.stream());

                @Override public int write(java.nio.ByteBuffer src) throws IOException { return ch.write(src); }
                @Override public boolean isOpen() { return true; }
                @Override public void close() throws IOException { s.stream().flush(); }
            };
        };
    }
}
