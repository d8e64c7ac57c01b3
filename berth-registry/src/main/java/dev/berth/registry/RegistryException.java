package dev.berth.registry;

/**
 * A failure the client caused or must be told about, answered as the spec's
 * {@code {"errors":[{"code","message","detail"}]}} with {@link ErrorCode#status}.
 * {@code detail} is serialised as JSON (a string, map or list).
 */
public final class RegistryException extends RuntimeException {
    public final ErrorCode code;
    public final Object detail;

    public RegistryException(ErrorCode code, String message, Object detail) {
        super(message, null, false, false);
        this.code = code;
        this.detail = detail;
    }
}
