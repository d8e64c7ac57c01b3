package dev.berth.daemon.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.errors.BerthException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** One configured Jackson mapper and small helpers for Docker-shaped JSON. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Json() {}

    /** Parses client JSON; malformed input is a 400 with the parser's reason. */
    public static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw BerthException.invalid("invalid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] bytes(Object o) {
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code o} as one JSON line (with its newline), to be written in one call: on a chunked
     * stream each write is a chunk, and clients such as docker-py choke on a lone "\n" chunk
     * at the end of a message stream.
     */
    public static byte[] line(Object o) {
        byte[] b = bytes(o);
        byte[] out = java.util.Arrays.copyOf(b, b.length + 1);
        out[b.length] = '\n';
        return out;
    }

    /** {@code o} as JSON text. */
    public static String string(Object o) { return new String(bytes(o), java.nio.charset.StandardCharsets.UTF_8); }

    public static ObjectNode obj() { return MAPPER.createObjectNode(); }
    public static ArrayNode arr() { return MAPPER.createArrayNode(); }

    /** Text of a field, or null when absent or JSON null. */
    public static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A string list field; null when absent or null (Docker distinguishes null from []). */
    public static List<String> strings(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) return null;
        List<String> out = new ArrayList<>();
        if (v.isArray()) v.forEach(x -> out.add(x.asText()));
        else if (v.isTextual()) out.add(v.asText());
        else throw BerthException.invalid("invalid value for " + field + ": expected a list of strings");
        return out;
    }

    public static boolean bool(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.asBoolean(false);
    }
}
