package io.vdetach.cli;

/** A bad command line that picocli's own checks do not catch: exit 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
