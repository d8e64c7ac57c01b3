package dev.berth.daemon.distribution;

import java.time.Duration;

/**
 * How often a layer download is tried ({@code max-download-attempts}, 5 like dockerd) and how
 * long to wait between tries: {@code firstDelay}, doubled each time, at most {@code maxDelay}.
 * dockerd waits 5, 10, 15, 20 s; Berth's default is short (0.2, 0.4, 0.8, 1.6 s), enough to ride
 * over a dropped connection or a registry restart without making a failing pull slow.
 */
public record RetryPolicy(int maxAttempts, Duration firstDelay, Duration maxDelay) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofMillis(3200));

    public RetryPolicy {
        if (maxAttempts < 1) throw new IllegalArgumentException("max download attempts must be at least 1, not " + maxAttempts);
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) throw new IllegalArgumentException("bad retry delays");
    }

    public RetryPolicy withMaxAttempts(int attempts) { return new RetryPolicy(attempts, firstDelay, maxDelay); }

    /** The wait after failed attempt {@code n} (1-based). */
    public Duration delayAfter(int n) {
        long ms = firstDelay.toMillis() << Math.min(n - 1, 20);
        return Duration.ofMillis(Math.min(ms, maxDelay.toMillis()));
    }
}
