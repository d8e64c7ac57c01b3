package dev.berth.registry;

import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}} (distribution spec). */
public final class Tag {
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    private Tag() {}

    public static boolean valid(String s) { return s != null && TAG.matcher(s).matches(); }
}
