package dev.berth.daemon.util;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Go's time formats as Docker prints them. */
public final class Times {
    public static final String ZERO = "0001-01-01T00:00:00Z";
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    private Times() {}

    /** RFC 3339 with nanoseconds and trailing zeros trimmed, like Go's time.RFC3339Nano. */
    public static String rfc3339Nano(Instant t) {
        if (t == null) return ZERO;
        StringBuilder sb = new StringBuilder(SECONDS.format(t));
        int nanos = t.getNano();
        if (nanos != 0) {
            String frac = String.format("%09d", nanos);
            int end = frac.length();
            while (end > 0 && frac.charAt(end - 1) == '0') end--;
            sb.append('.').append(frac, 0, end);
        }
        return sb.append('Z').toString();
    }

    /** Fixed-width nanoseconds, as Docker's log timestamps use. */
    public static String rfc3339NanoFixed(Instant t) {
        String n = Integer.toString(t.getNano());
        return SECONDS.format(t) + "." + "000000000".substring(n.length()) + n + "Z";
    }

    public static Instant parse(String s) {
        return s == null || s.isEmpty() || s.equals(ZERO) ? null : Instant.parse(s);
    }

    /**
     * A since/until query value: Unix seconds with optional fraction ("1700000000.5"),
     * an RFC 3339 time, or a duration ("10m", "1h30m") back from now.
     */
    public static Instant parseQueryTime(String v, Instant now) {
        if (v == null || v.isEmpty()) return null;
        if (v.matches("\\d+(\\.\\d+)?")) {
            int dot = v.indexOf('.');
            long secs = Long.parseLong(dot < 0 ? v : v.substring(0, dot));
            long nanos = 0;
            if (dot >= 0) {
                String f = (v.substring(dot + 1) + "000000000").substring(0, 9);
                nanos = Long.parseLong(f);
            }
            return Instant.ofEpochSecond(secs, nanos);
        }
        if (v.matches("(\\d+(\\.\\d+)?(ns|us|ms|s|m|h))+")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)").matcher(v);
            double nanos = 0;
            while (m.find()) {
                double n = Double.parseDouble(m.group(1));
                nanos += n * switch (m.group(2)) {
                    case "ns" -> 1;
                    case "us" -> 1e3;
                    case "ms" -> 1e6;
                    case "s" -> 1e9;
                    case "m" -> 60e9;
                    default -> 3600e9;
                };
            }
            return now.minusNanos((long) nanos);
        }
        try {
            return Instant.parse(v);
        } catch (Exception e) {
            try {
                return java.time.OffsetDateTime.parse(v).toInstant();
            } catch (Exception e2) {
                throw dev.berth.daemon.errors.BerthException.invalid("invalid time value: " + v);
            }
        }
    }
}
