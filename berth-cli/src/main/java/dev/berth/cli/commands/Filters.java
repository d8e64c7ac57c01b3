package dev.berth.cli.commands;

import dev.berth.cli.json.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code -f key=value} flags as the Engine API's {@code filters} JSON: {@code {"key":{"value":true}}},
 * keys sorted as the docker CLI (a Go map) sends them.
 */
final class Filters {
    private Filters() {}

    /** Null when there are no filters (the query parameter is then left out). */
    static String toJson(List<String> filters) {
        if (filters.isEmpty()) return null;
        Map<String, Object> m = new TreeMap<>();
        for (String f : filters) {
            int eq = f.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("bad format of filter (expected name=value)");
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) m.computeIfAbsent(
                    f.substring(0, eq).trim().toLowerCase(), k -> new TreeMap<String, Object>());
            values.put(f.substring(eq + 1).trim(), true);
        }
        return Json.toJson(m);
    }
}
