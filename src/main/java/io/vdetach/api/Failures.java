package io.vdetach.api;

import io.vdetach.error.ImageException;
import io.vdetach.error.VdetachException;
import java.io.IOException;

/**
 * The library's boundary: vdetach's internal errors (unchecked, in a package that is not exported)
 * become {@link VdetachIOException}s carrying the same kind, format, structure, offset and message.
 */
final class Failures {
    private Failures() {}

    /** Work that may throw vdetach's internal errors. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws IOException;
    }

    static <T> T call(Work<T> work) throws IOException {
        try {
            return work.run();
        } catch (VdetachException e) {
            throw translate(e);
        }
    }

    static VdetachIOException translate(VdetachException e) {
        FailureKind kind = FailureKind.valueOf(e.kind().name());
        if (e instanceof ImageException i) {
            return new VdetachIOException(kind, i.format(), i.structure(), i.offset(), e.getMessage(), e);
        }
        return new VdetachIOException(kind, null, null, -1, e.getMessage(), e);
    }

    /** A failure the library finds itself. */
    static VdetachIOException of(FailureKind kind, String message) {
        return new VdetachIOException(kind, null, null, -1, message, null);
    }
}
