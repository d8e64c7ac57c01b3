package dev.berth.registry.auth;

/** RFC 7235 auth-param values. */
final class Challenge {
    private Challenge() {}

    /** {@code value} as a quoted-string: backslash and double quote escaped. */
    static String quote(String value) {
        StringBuilder b = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\');
            b.append(c);
        }
        return b.append('"').toString();
    }
}
