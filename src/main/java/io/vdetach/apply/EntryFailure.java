package io.vdetach.apply;

import io.vdetach.error.ErrorKind;

/** One entry could not be written: it is listed in the report's errors, with its kind, and the run goes on. */
final class EntryFailure extends RuntimeException {
    private final ErrorKind kind;

    EntryFailure(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    ErrorKind kind() { return kind; }
}
