package dev.berth.registry;

import java.util.List;

/**
 * One page of a sorted list ({@code _catalog}, {@code tags/list}): the entries after {@code last}
 * (exclusive), at most {@code n}; {@code more} says whether a next page exists (then the answer
 * carries a {@code Link: <...>; rel="next"} header).
 */
public record Page(List<String> items, boolean more) {
    /** Distribution's default and largest page without an explicit {@code n}. */
    public static final int DEFAULT_LIMIT = 1000;

    public static int limit(String n) {
        if (n == null || n.isEmpty()) return -1;
        try {
            int v = Integer.parseInt(n);
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ErrorCode.PAGINATION_NUMBER_INVALID.error("invalid number of results requested", n);
        }
    }

    /** {@code sorted} must be in ascending order; {@code n < 0}: no limit given. */
    public static Page of(List<String> sorted, String last, int n) {
        int from = 0;
        if (last != null && !last.isEmpty()) {
            from = java.util.Collections.binarySearch(sorted, last);
            from = from >= 0 ? from + 1 : -from - 1;
        }
        List<String> rest = sorted.subList(from, sorted.size());
        if (n < 0) return new Page(List.copyOf(rest), false);
        if (rest.size() <= n) return new Page(List.copyOf(rest), false);
        return new Page(List.copyOf(rest.subList(0, n)), n > 0);
    }
}
