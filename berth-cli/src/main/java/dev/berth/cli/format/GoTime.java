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

    /**
     * Go's {@code time.Time.String()} of an RFC 3339 timestamp as the API sends it (Network
     * {@code Created}): fractional seconds without trailing zeros, the zone as parsed ("UTC" for
     * Z, the local zone's name when the offset is the local one, else the offset twice).
     */
    public static String string(String rfc3339) {
        java.time.OffsetDateTime t;
        try {
            t = java.time.OffsetDateTime.parse(rfc3339);
        } catch (java.time.format.DateTimeParseException e) {
            return "0001-01-01 00:00:00 +0000 UTC"; // Go's zero time
        }
        StringBuilder sb = new StringBuilder(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").format(t));
        if (t.getNano() != 0) {
            String frac = Integer.toString(1_000_000_000 + t.getNano()).substring(1);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') end--;
            sb.append('.').append(frac, 0, end);
        }
        int secs = t.getOffset().getTotalSeconds();
        int hhmm = Math.abs(secs) / 3600 * 100 + Math.abs(secs) / 60 % 60;
        String offset = (secs < 0 ? "-" : "+") + Integer.toString(10000 + hhmm).substring(1);
        sb.append(' ').append(offset).append(' ');
        if (rfc3339.endsWith("Z") || rfc3339.endsWith("z")) {
            sb.append("UTC");
        } else {
            java.time.ZonedDateTime local = t.toInstant().atZone(ZoneId.systemDefault());
            if (local.getOffset().equals(t.getOffset())) sb.append(DateTimeFormatter.ofPattern("z").format(local));
            else sb.append(offset);
        }
        return sb.toString();
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
