package dev.berth.cli.commands;

import dev.berth.cli.http.DaemonClient;
import dev.berth.cli.http.Query;
import java.io.IOException;
import sun.misc.Signal;

/** Local signal hooks (loaded only by attaching commands). */
final class SignalProxy {
    private SignalProxy() {}

    /** Forwards SIGINT and SIGTERM to the container ({@code POST /containers/{id}/kill?signal=...}). */
    static void forward(DaemonClient client, String id) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    try {
                        client.expectOk("POST", "/containers/" + Query.seg(id) + "/kill?signal=SIG" + name);
                    } catch (IOException ignored) {
                        // the container may have exited meanwhile
                    }
                });
            } catch (IllegalArgumentException ignored) {
                // signal not available here
            }
        }
    }

    static void onWindowChange(Runnable action) {
        try {
            Signal.handle(new Signal("WINCH"), s -> action.run());
        } catch (IllegalArgumentException ignored) {
            // no SIGWINCH on this platform
        }
    }
}
