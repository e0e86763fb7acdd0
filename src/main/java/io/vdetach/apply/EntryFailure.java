package io.vdetach.apply;

/** One entry could not be written: it is listed in the report's errors and the run goes on. */
final class EntryFailure extends RuntimeException {
    EntryFailure(String message) {
        super(message);
    }
}
