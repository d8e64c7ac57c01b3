package dev.berth.cli.http;

import java.io.IOException;

/** The daemon socket could not be reached; the message is Docker's wording, adapted to Berth. */
public final class DaemonUnreachableException extends IOException {
    public DaemonUnreachableException(String uri, IOException cause) {
        super(message(uri, cause), cause);
    }

    private static String message(String uri, IOException cause) {
        String m = String.valueOf(cause.getMessage());
        if (m.toLowerCase().contains("permission denied")) {
            return "permission denied while trying to connect to the Berth daemon socket at " + uri + ": " + m;
        }
        return "Cannot connect to the Berth daemon at " + uri + ". Is the berth daemon running?";
    }
}
