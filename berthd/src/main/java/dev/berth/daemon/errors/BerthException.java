package dev.berth.daemon.errors;

/**
 * Every failure a service reports carries a category; only the HTTP edge turns the category into
 * a status code (see {@code server.ErrorMapper}). Messages use Docker's wording because clients
 * show them verbatim ("No such container: web").
 */
public sealed abstract class BerthException extends RuntimeException {
    protected BerthException(String message) { super(message, null, false, false); }
    protected BerthException(String message, Throwable cause) { super(message, cause); }

    public static final class NotFound extends BerthException { public NotFound(String m) { super(m); } }
    public static final class InvalidArgument extends BerthException { public InvalidArgument(String m) { super(m); } }
    public static final class Conflict extends BerthException { public Conflict(String m) { super(m); } }
    /** A no-op request (start of a running container): Docker answers 304 Not Modified. */
    public static final class NotModified extends BerthException { public NotModified(String m) { super(m); } }
    public static final class Unauthorized extends BerthException { public Unauthorized(String m) { super(m); } }
    public static final class Forbidden extends BerthException { public Forbidden(String m) { super(m); } }
    public static final class NotImplemented extends BerthException { public NotImplemented(String m) { super(m); } }
    public static final class Unavailable extends BerthException { public Unavailable(String m) { super(m); } }
    public static final class Internal extends BerthException {
        public Internal(String m) { super(m); }
        public Internal(String m, Throwable cause) { super(m, cause); }
    }

    public static NotFound notFound(String m) { return new NotFound(m); }
    public static InvalidArgument invalid(String m) { return new InvalidArgument(m); }
    public static Conflict conflict(String m) { return new Conflict(m); }
    public static Internal internal(String m, Throwable cause) { return new Internal(m, cause); }
}
