package dev.berth.daemon.distribution;

import dev.berth.daemon.errors.BerthException;
import java.io.EOFException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The attempts of one layer download, shared by every way it can fail transiently (a lost
 * connection resumed in {@link ResumableBlobStream}, a restart of the whole layer after a
 * resumed download did not verify). After a failure: wait, show dockerd's "Retrying in …" on
 * the layer's progress line, go on; when no attempt is left, fail with the last cause.
 */
final class DownloadAttempts {
    private static final Pattern SHORT_BODY = Pattern.compile("fixed content-length: (\\d+), bytes received: (\\d+)");
    private static final Logger LOG = Logger.getLogger(DownloadAttempts.class.getName());

    private final RetryPolicy policy;
    private final Progress progress;
    private final String layerId;
    private int attempt = 1;

    DownloadAttempts(RetryPolicy policy, Progress progress, String layerId) {
        this.policy = policy;
        this.progress = progress;
        this.layerId = layerId;
    }

    /**
     * Records a transient failure of the current attempt and waits before the next one.
     *
     * @throws BerthException.Unavailable when this was the last attempt
     * @throws InterruptedIOException when the pull was cancelled while waiting
     */
    void failed(Exception cause) throws InterruptedIOException {
        failed(cause, "");
    }

    /** As {@link #failed(Exception)}, with where the blob's bytes stood ("after 1000 of 2000 bytes"). */
    void failed(Exception cause, String where) throws InterruptedIOException {
        String why = describe(cause) + (where.isEmpty() ? "" : " " + where);
        if (attempt >= policy.maxAttempts()) {
            LOG.warning("layer " + layerId + ": download failed after " + attempt + " attempts: " + why);
            throw new BerthException.Unavailable("failed to pull layer " + layerId + ": download failed after " + attempt
                    + (attempt == 1 ? " attempt: " : " attempts: ") + why);
        }
        Duration delay = policy.delayAfter(attempt);
        LOG.info("layer " + layerId + ": download failed, retrying (" + attempt + "/" + policy.maxAttempts() + ") in " + delay.toMillis() + "ms: " + why);
        attempt++;
        progress.status(layerId, "Retrying in " + seconds(delay));
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download cancelled during retry delay");
        }
    }

    int attempt() { return attempt; }

    /** The cause as dockerd words it where it can ("unexpected EOF"), else the exception's own message. */
    static String describe(Exception e) {
        String m = e.getMessage();
        if (e instanceof EOFException) return "unexpected EOF" + (m == null || m.startsWith("EOF reached") ? "" : " (" + m + ")");
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        if (SHORT_BODY.matcher(m).matches()) return "unexpected EOF"; // the JDK client's words for a body cut short
        if (m.equalsIgnoreCase("Connection reset")) return "read: connection reset by peer";
        return m;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 == 0) return ms / 1000 + (ms == 1000 ? " second" : " seconds");
        return String.format("%.1f seconds", ms / 1000.0);
    }
}
