package io.vdetach.apply;

import io.vdetach.error.ErrorKind;

/** One entry could not be written: it is listed in the report's errors, with its kind, and the run goes on. */
final class EntryFailure extends RuntimeException {
    private final ErrorKind kind;

    /** The host side refused the entry (a conflict, a missing privilege). */
    EntryFailure(String message) {
        this(ErrorKind.HOST, message);
    }

    EntryFailure(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    ErrorKind kind() { return kind; }
}
