package dev.berth.daemon.os;

import java.io.IOException;

/**
 * A failed system call: carries the C {@code errno} so callers can branch on it
 * (e.g. {@link Posix#ENOENT}), and a message naming the operation and its object, like
 * {@code mount overlay on /x: No such file or directory (errno 2)}.
 */
public final class PosixException extends IOException {
    private final int errno;

    /**
     * @param operation what was attempted and on what, e.g. {@code "chmod /a/b"}
     * @param errno     the errno value the call left behind
     */
    public PosixException(String operation, int errno) {
        super(operation + ": " + Posix.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
