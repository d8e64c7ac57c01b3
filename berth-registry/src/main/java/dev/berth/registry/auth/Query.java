package dev.berth.registry.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An {@code application/x-www-form-urlencoded} string (a query or a form body), repeated keys kept. */
record Query(List<Map.Entry<String, String>> pairs) {

    static Query parse(String raw) {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        if (raw != null) {
            for (String p : raw.split("&")) {
                if (p.isEmpty()) continue;
                int eq = p.indexOf('=');
                String k = eq < 0 ? p : p.substring(0, eq);
                String v = eq < 0 ? "" : p.substring(eq + 1);
                pairs.add(Map.entry(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8)));
            }
        }
        return new Query(pairs);
    }

    String first(String key) {
        for (var e : pairs) if (e.getKey().equals(key)) return e.getValue();
        return null;
    }

    List<String> all(String key) {
        List<String> out = new ArrayList<>();
        for (var e : pairs) if (e.getKey().equals(key)) out.add(e.getValue());
        return out;
    }
}
