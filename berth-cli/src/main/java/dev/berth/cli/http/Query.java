package dev.berth.cli.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Builds a URL query string ({@code ?a=b&c=d}), form-encoded like Go's url.Values. */
public final class Query {
    private final StringBuilder sb = new StringBuilder();

    public Query add(String key, String value) {
        if (value == null) return this;
        sb.append(sb.isEmpty() ? '?' : '&').append(enc(key)).append('=').append(enc(value));
        return this;
    }

    /** Adds {@code key=1} only when {@code on}. */
    public Query flag(String key, boolean on) { return on ? add(key, "1") : this; }

    /** Adds the value unless it is null or empty. */
    public Query opt(String key, String value) { return value == null || value.isEmpty() ? this : add(key, value); }

    @Override
    public String toString() { return sb.toString(); }

    public static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    /** Escapes a path segment such as a container name or image reference ('/' and ':' kept). */
    public static String seg(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~/:@".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
