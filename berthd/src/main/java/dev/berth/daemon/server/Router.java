package dev.berth.daemon.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The route table as data: method + path template. {@code {id}} matches one path segment,
 * {@code {name*}} matches the rest including slashes (image names like {@code team/app:1}).
 */
public final class Router {
    @FunctionalInterface
    public interface Handler {
        void handle(Request req, Response res) throws Exception;
    }

    private record Route(String method, Pattern pattern, List<String> names, Handler handler) {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String template, Handler handler) {
        List<String> names = new ArrayList<>();
        StringBuilder re = new StringBuilder("^");
        Matcher m = Pattern.compile("\\{(\\w+)(\\*?)}").matcher(template);
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(template.substring(last, m.start())));
            re.append(m.group(2).isEmpty() ? "([^/]+)" : "(.+)");
            names.add(m.group(1));
            last = m.end();
        }
        re.append(Pattern.quote(template.substring(last))).append("/?$");
        routes.add(new Route(method, Pattern.compile(re.toString()), names, handler));
        return this;
    }

    public Router get(String t, Handler h) { return add("GET", t, h); }
    public Router post(String t, Handler h) { return add("POST", t, h); }
    public Router delete(String t, Handler h) { return add("DELETE", t, h); }
    public Router head(String t, Handler h) { return add("HEAD", t, h); }

    /** A matched route, or null with {@code pathExists} telling 405 from 404. */
    record Match(Handler handler, Map<String, String> params, boolean pathExists) {}

    Match match(String method, String path) {
        boolean pathExists = false;
        for (Route r : routes) {
            Matcher m = r.pattern.matcher(path);
            if (!m.matches()) continue;
            pathExists = true;
            if (!r.method.equals(method) && !(method.equals("HEAD") && r.method.equals("GET"))) continue;
            Map<String, String> params = new HashMap<>();
            for (int i = 0; i < r.names.size(); i++) params.put(r.names.get(i), m.group(i + 1));
            return new Match(r.handler, params, true);
        }
        return new Match(null, Map.of(), pathExists);
    }
}
