package dev.berth.cli.format;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker's {@code timetypes.GetTimestamp} for --since/--until: a Go duration ("10m", "1h30m")
 * is relative to now, a unix timestamp ("1700000000[.nnn]") passes through, and RFC 3339 /
 * date-time / date strings become "seconds.nanoseconds".
 */
public final class Timestamps {
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]*)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern UNIX = Pattern.compile("-?[0-9]+(\\.[0-9]{1,9})?");

    private Timestamps() {}

    public static String get(String value, long nowMillis) {
        String v = value.trim();
        if (v.isEmpty()) return v;
        if (!v.equals("0")) {
            Long nanos = goDurationNanos(v);
            if (nanos != null) return Long.toString(Math.floorDiv(nowMillis * 1_000_000L - nanos, 1_000_000_000L));
        }
        if (UNIX.matcher(v).matches()) return v;
        Instant t = parseDate(v);
        if (t == null) throw new IllegalArgumentException("invalid value for timestamp: \"" + value + "\"");
        return t.getEpochSecond() + "." + String.format("%09d", t.getNano());
    }

    /** Parses a Go duration string; null if it is not one. */
    public static Long goDurationNanos(String s) {
        String rest = s;
        boolean neg = false;
        if (rest.startsWith("-") || rest.startsWith("+")) {
            neg = rest.startsWith("-");
            rest = rest.substring(1);
        }
        if (rest.isEmpty()) return null;
        Matcher m = DURATION.matcher(rest);
        int pos = 0;
        double total = 0;
        while (pos < rest.length()) {
            if (!m.find(pos) || m.start() != pos) return null;
            double n = Double.parseDouble(m.group(1));
            total += n * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        long nanos = (long) total;
        return neg ? -nanos : nanos;
    }

    private static Instant parseDate(String v) {
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the zone-less layouts
        }
        try {
            return LocalDateTime.parse(v).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException ignored) {
            // try a plain date
        }
        try {
            return LocalDate.parse(v).atStartOfDay(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException ignored) {
            return null;
        }
    }
}
