package dev.berth.cli.http;

import java.io.IOException;

/** A non-2xx answer from the daemon; {@link #getMessage()} is the {@code message} of its JSON body. */
public final class DaemonException extends IOException {
    private final int status;

    public DaemonException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() { return status; }

    /** Docker's rendering: {@code Error response from daemon: <message>}. */
    public String display() { return "Error response from daemon: " + getMessage(); }
}
