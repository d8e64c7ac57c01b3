package dev.berth.registry;

import java.util.regex.Pattern;

/**
 * A repository name as the distribution spec allows it:
 * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}, at most 255
 * characters (distribution's limit, including a host name the client may not send).
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.isEmpty() || value.length() > MAX_LENGTH || !NAME.matcher(value).matches()) {
            throw ErrorCode.NAME_INVALID.error("invalid repository name", value);
        }
    }

    public static boolean valid(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && NAME.matcher(value).matches();
    }

    @Override public int compareTo(RepositoryName o) { return value.compareTo(o.value); }

    @Override public String toString() { return value; }
}
