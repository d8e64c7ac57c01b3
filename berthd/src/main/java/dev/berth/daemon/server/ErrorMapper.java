package dev.berth.daemon.server;

import dev.berth.daemon.errors.BerthException;

/** The one place where an error category becomes an HTTP status code. */
final class ErrorMapper {
    private ErrorMapper() {}

    static int status(BerthException e) {
        return switch (e) {
            case BerthException.NotFound x -> 404;
            case BerthException.InvalidArgument x -> 400;
            case BerthException.Conflict x -> 409;
            case BerthException.NotModified x -> 304;
            case BerthException.Unauthorized x -> 401;
            case BerthException.Forbidden x -> 403;
            case BerthException.NotImplemented x -> 501;
            case BerthException.Unavailable x -> 503;
            case BerthException.Internal x -> 500;
        };
    }
}
