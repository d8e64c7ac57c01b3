package dev.berth.cli.format;

/** Go's string quoting as the docker CLI prints it ({@code %q}, {@code strconv.Quote}). */
public final class GoStrings {
    private GoStrings() {}

    /** Go's strconv.Quote for the printable strings commands usually are. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\u0007' -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\u000b' -> sb.append("\\v");
                default -> {
                    if (ch < 0x20 || ch == 0x7f) sb.append("\\x").append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 0xf, 16));
                    else sb.append(ch);
                }
            }
        }
        return sb.append('"').toString();
    }
}
