package io.vdetach.image;

import io.vdetach.extent.HostFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * One container format, as its own package provides it: a name, a probe that says from a file's
 * first and last bytes how sure it is, and an opener. {@link ImageOpener#FORMATS} lists them all;
 * detection asks every probe and takes the most confident answer, never a guess between equals.
 */
public record ImageFormat(String name, Probe probe, Opener opener) {

    /** How sure a probe is. Content decides, never the file name. */
    public enum Confidence {
        /** Not this format. */
        NONE,
        /** A signature where guest data could also lie (a footer at the end): any magic at the start wins. */
        WEAK,
        /** A magic number at a fixed place in the header. */
        CERTAIN;

        public static Confidence certainIf(boolean magicMatches) {
            return magicMatches ? CERTAIN : NONE;
        }
    }

    /** Reads the sample; may not throw: a sample too short for the magic is simply not this format. */
    public interface Probe extends Function<Sample, Confidence> {}

    /** Opens {@code file}, whose probe was the most confident; names in it are followed through {@code opener}. */
    public interface Opener {
        DiskImage open(HostFile file, ImageOpener opener) throws IOException;
    }

    /** The first and the last {@link #BYTES} bytes of a file (fewer when it is shorter). */
    public record Sample(ByteBuffer head, ByteBuffer tail) {
        static final int BYTES = 1024;

        static Sample of(HostFile file) throws IOException {
            long size = file.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, BYTES));
            ByteBuffer tail = ByteBuffer.allocate(head.capacity());
            file.read(0, head);
            file.read(size - tail.capacity(), tail);
            return new Sample(head.flip(), tail.flip());
        }

        /** Whether the head holds {@code magic} (one char per byte, ISO 8859-1: "QFI\373") at {@code at}. */
        public boolean head(int at, String magic) {
            return has(head, at, magic);
        }

        /** Whether {@code magic} starts {@code fromEnd} bytes before the end of the file. */
        public boolean tail(int fromEnd, String magic) {
            return has(tail, tail.limit() - fromEnd, magic);
        }

        private static boolean has(ByteBuffer b, int at, String text) {
            byte[] magic = text.getBytes(StandardCharsets.ISO_8859_1);
            return at >= 0 && b.limit() >= at + magic.length && b.slice(at, magic.length).equals(ByteBuffer.wrap(magic));
        }
    }
}
