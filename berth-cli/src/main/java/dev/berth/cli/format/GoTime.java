package dev.berth.cli.format;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Go's time layouts as the docker CLI prints them, in the local time zone. */
public final class GoTime {
    private static DateTimeFormatter stringLayout;
    private static DateTimeFormatter nanoLayout;
    private static DateTimeFormatter rfc3339Layout;

    private GoTime() {}

    /** Go's {@code time.Time.String()}: "2006-01-02 15:04:05 -0700 MST". */
    public static String string(long unixSeconds) {
        if (stringLayout == null) stringLayout = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z z");
        return stringLayout.format(Instant.ofEpochSecond(unixSeconds).atZone(ZoneId.systemDefault()));
    }

    /** Go's {@code time.RFC3339} in the local zone: "2006-01-02T15:04:05Z07:00" ("Z" for UTC). */
    public static String rfc3339(long unixSeconds) {
        if (rfc3339Layout == null) rfc3339Layout = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
        return rfc3339Layout.format(Instant.ofEpochSecond(unixSeconds).atZone(ZoneId.systemDefault()));
    }

    /** jsonmessage.RFC3339NanoFixed: "2006-01-02T15:04:05.000000000Z07:00". */
    public static String rfc3339NanoFixed(long unixNanos) {
        if (nanoLayout == null) nanoLayout = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");
        Instant t = Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L));
        return nanoLayout.format(t.atZone(ZoneId.systemDefault()));
    }
}
