package dev.berth.cli.format;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/** Human-readable sizes and durations, matching docker/go-units output exactly. */
public final class Units {
    private static final String[] DECIMAL = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};

    private Units() {}

    /** {@code units.HumanSizeWithPrecision(size, 3)}: "4.26MB", "0B", "12.3kB". */
    public static String humanSize(double size) { return sized(size, 1000.0, DECIMAL, 3); }

    /** {@code units.HumanSizeWithPrecision(size, precision)}. */
    public static String humanSize(double size, int precision) { return sized(size, 1000.0, DECIMAL, precision); }

    /** {@code units.BytesSize}: binary units with 4 significant digits ("3.842GiB"). */
    public static String bytesSize(double size) { return sized(size, 1024.0, BINARY, 4); }

    private static String sized(double size, double base, String[] abbrs, int precision) {
        int i = 0;
        while (size >= base && i < abbrs.length - 1) {
            size /= base;
            i++;
        }
        return formatG(size, precision) + abbrs[i];
    }

    /** Go's {@code fmt.Sprintf("%.*g", precision, v)}. */
    public static String formatG(double v, int precision) {
        if (v == 0) return "0";
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (precision <= 0) precision = 1;
        BigDecimal bd = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        String sign = bd.signum() < 0 ? "-" : "";
        bd = bd.abs();
        String digits = bd.unscaledValue().toString();
        int nd = digits.length();
        int exp = nd - bd.scale() - 1; // decimal exponent of the first digit
        int dp = exp + 1;
        int eprec = precision;
        if (eprec > nd && nd >= dp) eprec = nd;
        if (exp < -4 || exp >= eprec) {
            StringBuilder sb = new StringBuilder(sign).append(digits.charAt(0));
            if (nd > 1) sb.append('.').append(digits, 1, nd);
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ax = Math.abs(exp);
            if (ax < 10) sb.append('0');
            return sb.append(ax).toString();
        }
        return sign + bd.toPlainString();
    }

    /** "N units ago" for a unix timestamp in seconds, like docker's CREATED columns. */
    public static String ago(long unixSeconds, long nowMillis) {
        return dev.berth.api.HumanDuration.of(Duration.ofMillis(Math.max(0, nowMillis - unixSeconds * 1000))) + " ago";
    }

    /** Docker's {@code stringid.TruncateID}: strips "sha256:" and keeps 12 characters. */
    public static String shortId(String id) {
        int colon = id.indexOf(':');
        if (colon >= 0) id = id.substring(colon + 1);
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** Docker's {@code formatter.Ellipsis}: keeps {@code max-1} runes and appends "…". */
    public static String ellipsis(String s, int max) {
        if (max <= 0) return "";
        int n = s.codePointCount(0, s.length());
        if (n <= max) return s;
        if (max == 1) return s.substring(0, s.offsetByCodePoints(0, 1));
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "…";
    }
}
