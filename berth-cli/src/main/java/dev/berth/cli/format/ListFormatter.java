package dev.berth.cli.format;

import dev.berth.cli.json.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Docker's list formatting ({@code ps}, {@code images}): {@code table} / {@code table TEMPLATE}
 * (header row from {@code headers}, aligned by {@link TabWriter}), {@code json} (one object per
 * row, keys sorted as Go marshals a map), or a bare template (one line per row).
 */
public final class ListFormatter {
    private ListFormatter() {}

    public static String render(String format, String defaultTable, List<Map<String, Object>> rows,
                                Map<String, Object> headers) {
        String f = format == null || format.isEmpty() || format.equals("table") ? defaultTable : format;
        if (f.equals("json")) {
            StringBuilder sb = new StringBuilder();
            for (Map<String, Object> row : rows) {
                Map<String, Object> sorted = new TreeMap<>();
                for (Map.Entry<String, Object> e : row.entrySet()) {
                    if (!(e.getValue() instanceof Function<?, ?>)) sorted.put(e.getKey(), e.getValue());
                }
                sb.append(Json.toJson(sorted)).append('\n');
            }
            return sb.toString();
        }
        boolean table = f.startsWith("table");
        String body = table ? f.substring(5) : f;
        body = GoTemplate.unescape(body.strip().isEmpty() ? body : trimSpaces(body));
        GoTemplate t = GoTemplate.parse(body);
        StringBuilder out = new StringBuilder();
        if (table) out.append(t.execute(headers)).append('\n');
        for (Map<String, Object> row : rows) out.append(t.execute(row)).append('\n');
        return table ? TabWriter.docker().add(out.toString()).render() : out.toString();
    }

    /** Go's {@code strings.Trim(format, " ")}: spaces only, not tabs or newlines. */
    private static String trimSpaces(String s) {
        int b = 0, e = s.length();
        while (b < e && s.charAt(b) == ' ') b++;
        while (e > b && s.charAt(e - 1) == ' ') e--;
        return s.substring(b, e);
    }
}
