package dev.berth.daemon.net;

import dev.berth.daemon.os.Posix;
import java.io.IOException;

/**
 * The kernel refused an rtnetlink request. The message names the operation and gives the
 * kernel's answer the way {@code ip} prints it, plus the kernel's own explanation when it sent
 * one (extended ACK), e.g. {@code create bridge br0: RTNETLINK: File exists} or
 * {@code create link x0: RTNETLINK: Operation not supported (Unknown device type)}.
 * {@link #errno()} is for callers that branch ({@link Posix#EEXIST}, {@link Posix#ENODEV}).
 */
public final class NetlinkException extends IOException {
    private final int errno;
    private final String kernelMessage;

    NetlinkException(String operation, int errno, String kernelMessage) {
        super(operation + ": RTNETLINK: " + Posix.strerror(errno)
                + (kernelMessage == null || kernelMessage.isEmpty() ? "" : " (" + kernelMessage + ")"));
        this.errno = errno;
        this.kernelMessage = kernelMessage;
    }

    /** The positive errno the kernel answered with. */
    public int errno() {
        return errno;
    }

    /** The kernel's extended-ACK text, or null when it sent none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** The object already exists (EEXIST): a duplicate name or address. */
    public boolean alreadyExists() {
        return errno == Posix.EEXIST;
    }

    /** No such link, address or route (ENODEV, ESRCH, EADDRNOTAVAIL). */
    public boolean notFound() {
        return errno == Posix.ENODEV || errno == Posix.ESRCH || errno == EADDRNOTAVAIL;
    }

    private static final int EADDRNOTAVAIL = 99;
}
