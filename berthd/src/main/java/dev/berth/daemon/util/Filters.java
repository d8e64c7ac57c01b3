package dev.berth.daemon.util;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.errors.BerthException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Docker's {@code filters} query parameter, shared by container, image and event listings. */
public final class Filters {
    private Filters() {}

    /** Parses {"key":{"value":true}} or the legacy {"key":["value"]}; malformed JSON is a 400. */
    public static Map<String, List<String>> parse(String json) {
        Map<String, List<String>> out = new HashMap<>();
        if (json == null || json.isEmpty()) return out;
        JsonNode n = Json.parse(json.getBytes(StandardCharsets.UTF_8));
        if (!n.isObject()) throw BerthException.invalid("invalid filter: expected a JSON object");
        n.properties().forEach(e -> {
            List<String> vals = new ArrayList<>();
            if (e.getValue().isObject()) e.getValue().properties().forEach(v -> { if (v.getValue().asBoolean(true)) vals.add(v.getKey()); });
            else if (e.getValue().isArray()) e.getValue().forEach(v -> vals.add(v.asText()));
            else vals.add(e.getValue().asText());
            out.put(e.getKey(), vals);
        });
        return out;
    }

    /**
     * A {@code label=key} or {@code label=key=value} filter against labels given as a lookup
     * (null when the label is absent).
     */
    public static boolean labelMatches(Function<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        String value = labels.apply(eq < 0 ? filter : filter.substring(0, eq));
        return value != null && (eq < 0 || value.equals(filter.substring(eq + 1)));
    }

    /** Label lookup over a Docker-shaped {@code Labels} JSON object. */
    public static Function<String, String> labelsOf(JsonNode labels) {
        return k -> labels != null && labels.has(k) ? labels.get(k).asText() : null;
    }
}
