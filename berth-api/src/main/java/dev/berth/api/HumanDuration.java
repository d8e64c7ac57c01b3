package dev.berth.api;

import java.time.Duration;

/**
 * Docker's {@code units.HumanDuration}, shared by the daemon ("Up 5 minutes" in ps Status) and
 * the CLI (CREATED columns): "Less than a second", "About a minute", "3 days", ...
 */
public final class HumanDuration {
    private HumanDuration() {}

    public static String of(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return seconds + " seconds";
        long minutes = d.toMinutes();
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return minutes + " minutes";
        long hours = Math.round(d.toNanos() / 3_600_000_000_000.0); // Go: d.Round(time.Hour).Hours()
        if (hours == 1) return "About an hour";
        if (hours < 48) return hours + " hours";
        if (hours < 24 * 7 * 2) return hours / 24 + " days";
        if (hours < 24 * 30 * 2) return hours / 24 / 7 + " weeks";
        if (hours < 24 * 365 * 2) return hours / 24 / 30 + " months";
        return d.toHours() / 24 / 365 + " years";
    }
}
