package dev.berth.registry;

/**
 * The distribution spec's error codes with the HTTP status each one is answered with
 * (OCI distribution-spec 1.1, "Error Codes"; TOOMANYREQUESTS and UNAVAILABLE as distribution).
 */
public enum ErrorCode {
    BLOB_UNKNOWN(404, "blob unknown to registry"),
    BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
    BLOB_UPLOAD_UNKNOWN(404, "blob upload unknown to registry"),
    DIGEST_INVALID(400, "provided digest did not match uploaded content"),
    MANIFEST_BLOB_UNKNOWN(400, "manifest references a manifest or blob unknown to registry"),
    MANIFEST_INVALID(400, "manifest invalid"),
    MANIFEST_UNKNOWN(404, "manifest unknown to registry"),
    NAME_INVALID(400, "invalid repository name"),
    NAME_UNKNOWN(404, "repository name not known to registry"),
    SIZE_INVALID(400, "provided length did not match content length"),
    UNAUTHORIZED(401, "authentication required"),
    DENIED(403, "requested access to the resource is denied"),
    UNSUPPORTED(405, "the operation is unsupported"),
    TOOMANYREQUESTS(429, "too many requests"),
    /** Not a spec code: a chunk that does not continue the upload (distribution answers 416 too). */
    RANGE_INVALID(416, "requested range not satisfiable"),
    PAGINATION_NUMBER_INVALID(400, "invalid number of results requested");

    public final int status;
    public final String defaultMessage;

    ErrorCode(int status, String defaultMessage) {
        this.status = status;
        this.defaultMessage = defaultMessage;
    }

    public RegistryException error(String message) { return new RegistryException(this, message, null); }

    public RegistryException error(String message, Object detail) { return new RegistryException(this, message, detail); }

    public RegistryException error() { return new RegistryException(this, defaultMessage, null); }
}
