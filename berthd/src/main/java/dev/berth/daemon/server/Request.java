package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One parsed HTTP request: method, path (without the /vX.Y prefix), query, headers, body stream. */
public final class Request {
    final String method;
    final String rawPath;
    String path;
    String apiVersion;
    private final Map<String, List<String>> query;
    private final Map<String, String> headers;
    final InputStream body;
    Map<String, String> pathParams = Map.of();

    Request(String method, String target, Map<String, String> headers, InputStream body) {
        this.method = method;
        int q = target.indexOf('?');
        this.rawPath = decode(q < 0 ? target : target.substring(0, q));
        this.path = rawPath;
        this.query = parseQuery(q < 0 ? "" : target.substring(q + 1));
        this.headers = headers;
        this.body = body;
    }

    public String method() { return method; }
    public String path() { return path; }
    /** The API version of the path (/v1.45/...), or the current one for unversioned paths. */
    public String apiVersion() { return apiVersion; }
    public String pathParam(String name) { return pathParams.get(name); }
    public String header(String name) { return headers.get(name.toLowerCase(Locale.ROOT)); }
    public InputStream body() { return body; }

    public String query(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    public List<String> queryAll(String name) { return query.getOrDefault(name, List.of()); }

    public String query(String name, String dflt) {
        String v = query(name);
        return v == null ? dflt : v;
    }

    /** Docker's boolean query values: 1/true/True are true; absent, 0, false and "" are false. */
    public boolean queryBool(String name) {
        String v = query(name);
        if (v == null) return false;
        v = v.toLowerCase(Locale.ROOT);
        return !(v.isEmpty() || v.equals("0") || v.equals("false") || v.equals("no"));
    }

    public Integer queryInt(String name) {
        String v = query(name);
        if (v == null || v.isEmpty()) return null;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid value for " + name + ": " + v);
        }
    }

    /** The body as JSON; an empty body is an empty object. Malformed JSON is a 400. */
    public JsonNode jsonBody() throws IOException {
        byte[] bytes;
        try {
            bytes = body.readAllBytes();
        } catch (java.io.EOFException e) {
            throw BerthException.invalid(e.getMessage());
        }
        if (bytes.length == 0) return Json.MAPPER.createObjectNode();
        return Json.parse(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> parseQuery(String q) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (q.isEmpty()) return m;
        for (String part : q.split("&")) {
            if (part.isEmpty()) continue;
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            m.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return m;
    }
}
