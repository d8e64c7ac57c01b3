package dev.berth.daemon.snapshot;

import java.io.IOException;

/**
 * A layer tar that must not be unpacked: it tries to write outside the layer root, through a
 * symlink, or is otherwise malformed. The message reads {@code invalid layer: <detail>}.
 */
public final class InvalidLayerException extends IOException {
    public InvalidLayerException(String detail) {
        super("invalid layer: " + detail);
    }
}
