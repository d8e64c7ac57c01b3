package dev.berth.cli.commands;

import dev.berth.api.ApiVersion;
import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.GoTemplate;
import dev.berth.cli.format.GoTime;
import dev.berth.cli.format.TabWriter;
import dev.berth.cli.format.Timestamps;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.DaemonUnreachableException;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** version, info, events. */
public final class SystemCommands {
    private SystemCommands() {}

    /** The client half of {@code version}, shaped like docker's Client section. */
    static Map<String, Object> clientVersion() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("Version", ApiVersion.BERTH_VERSION);
        c.put("ApiVersion", ApiVersion.CURRENT);
        c.put("DefaultAPIVersion", ApiVersion.CURRENT);
        c.put("JavaVersion", System.getProperty("java.version"));
        c.put("Os", "linux");
        c.put("Arch", goArch(System.getProperty("os.arch")));
        return c;
    }

    static String goArch(String javaArch) {
        return switch (javaArch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            default -> javaArch;
        };
    }

    /**
     * Docker's templates see Go field names, not JSON keys: {@code .Server.APIVersion} is the
     * JSON {@code ApiVersion}. Adds those names beside the JSON ones.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> templateView(Map<String, Object> all) {
        Map<String, Object> view = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) m);
                if (copy.containsKey("ApiVersion")) copy.putIfAbsent("APIVersion", copy.get("ApiVersion"));
                view.put(k, copy);
            } else {
                view.put(k, v);
            }
        });
        return view;
    }

    public static int version(Cli cli, ParsedArgs a) throws IOException, CliException {
        String format = a.str("format", "");
        Map<String, Object> client = clientVersion();
        if (format.isEmpty()) {
            cli.out.print(renderClient(client));
            cli.out.flush();
            Object server = cli.client().json("GET", "/version", null);
            cli.out.print(renderServer(server));
            return 0;
        }
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("Client", client);
        IOException failure = null;
        try {
            all.put("Server", cli.client().json("GET", "/version", null));
        } catch (IOException e) {
            all.put("Server", null);
            failure = e;
        }
        cli.out.println(format.equals("json") ? Json.toJson(all) : GoTemplate.parse(GoTemplate.unescape(format)).execute(templateView(all)));
        if (failure != null) throw failure;
        return 0;
    }

    static String renderClient(Map<String, Object> c) {
        TabWriter t = new TabWriter(20, 1);
        t.add("Client:\n");
        t.add(" Version:\t" + c.get("Version") + "\n");
        t.add(" API version:\t" + c.get("ApiVersion") + "\n");
        t.add(" Java version:\t" + c.get("JavaVersion") + "\n");
        t.add(" OS/Arch:\t" + c.get("Os") + "/" + c.get("Arch") + "\n");
        return t.render();
    }

    static String renderServer(Object v) {
        TabWriter t = new TabWriter(20, 1);
        String platform = Json.str(v, "Platform", "Name");
        t.add("\nServer:" + (platform.isEmpty() ? "" : " " + platform) + "\n");
        List<Object> components = Json.list(v, "Components");
        if (components.isEmpty()) {
            Map<String, Object> engine = new LinkedHashMap<>();
            engine.put("Name", "Engine");
            engine.put("Version", Json.str(v, "Version"));
            engine.put("Details", v);
            components = List.of(engine);
        }
        for (Object comp : components) {
            String name = Json.str(comp, "Name");
            t.add(" " + name + ":\n");
            Object d = Json.get(comp, "Details");
            if (name.equals("Engine")) {
                t.add("  Version:\t" + Json.str(comp, "Version") + "\n");
                t.add("  API version:\t" + first(d, v, "ApiVersion") + " (minimum version " + first(d, v, "MinAPIVersion") + ")\n");
                t.add("  Go version:\t" + first(d, v, "GoVersion") + "\n");
                t.add("  Git commit:\t" + first(d, v, "GitCommit") + "\n");
                t.add("  Built:\t" + first(d, v, "BuildTime") + "\n");
                t.add("  OS/Arch:\t" + first(d, v, "Os") + "/" + first(d, v, "Arch") + "\n");
                t.add("  Experimental:\t" + (first(d, v, "Experimental").isEmpty() ? "false" : first(d, v, "Experimental")) + "\n");
            } else {
                t.add("  Version:\t" + Json.str(comp, "Version") + "\n");
                for (Map.Entry<String, Object> e : Json.obj(comp, "Details").entrySet()) {
                    t.add("  " + e.getKey() + ":\t" + GoTemplate.print(e.getValue()) + "\n");
                }
            }
        }
        return t.render();
    }

    private static String first(Object details, Object top, String key) {
        String s = Json.str(details, key);
        return s.isEmpty() ? Json.str(top, key) : s;
    }

    public static int info(Cli cli, ParsedArgs a) throws IOException, CliException {
        String format = a.str("format", "");
        if (!format.isEmpty()) {
            Object info = cli.client().json("GET", "/info", null);
            cli.out.println(format.equals("json") ? Json.toJson(info) : GoTemplate.parse(GoTemplate.unescape(format)).execute(info));
            return 0;
        }
        cli.out.print("Client:\n Version:    " + ApiVersion.BERTH_VERSION + "\n Context:    default\n Debug Mode: false\n\nServer:\n");
        cli.out.flush();
        Object info;
        try {
            info = cli.client().json("GET", "/info", null);
        } catch (DaemonUnreachableException e) {
            throw new CliException(e.getMessage(), 1);
        }
        cli.out.print(renderInfo(info));
        for (Object w : Json.list(info, "Warnings")) cli.err.println(w);
        return 0;
    }

    static String renderInfo(Object i) {
        StringBuilder sb = new StringBuilder();
        sb.append(" Containers: ").append(Json.num(i, "Containers")).append('\n');
        sb.append("  Running: ").append(Json.num(i, "ContainersRunning")).append('\n');
        sb.append("  Paused: ").append(Json.num(i, "ContainersPaused")).append('\n');
        sb.append("  Stopped: ").append(Json.num(i, "ContainersStopped")).append('\n');
        sb.append(" Images: ").append(Json.num(i, "Images")).append('\n');
        sb.append(" Server Version: ").append(Json.str(i, "ServerVersion")).append('\n');
        sb.append(" Storage Driver: ").append(Json.str(i, "Driver")).append('\n');
        for (Object pair : Json.list(i, "DriverStatus")) {
            List<Object> p = Json.list(pair);
            if (p.size() == 2) sb.append("  ").append(p.get(0)).append(": ").append(p.get(1)).append('\n');
        }
        if (!Json.str(i, "LoggingDriver").isEmpty()) sb.append(" Logging Driver: ").append(Json.str(i, "LoggingDriver")).append('\n');
        sb.append(" Cgroup Driver: ").append(Json.str(i, "CgroupDriver")).append('\n');
        sb.append(" Cgroup Version: ").append(Json.str(i, "CgroupVersion")).append('\n');
        sb.append(" Runtimes: ").append(String.join(" ", new TreeSet<>(Json.obj(i, "Runtimes").keySet()))).append('\n');
        sb.append(" Default Runtime: ").append(Json.str(i, "DefaultRuntime")).append('\n');
        sb.append(" Kernel Version: ").append(Json.str(i, "KernelVersion")).append('\n');
        sb.append(" Operating System: ").append(Json.str(i, "OperatingSystem")).append('\n');
        sb.append(" OSType: ").append(Json.str(i, "OSType")).append('\n');
        sb.append(" Architecture: ").append(Json.str(i, "Architecture")).append('\n');
        sb.append(" CPUs: ").append(Json.num(i, "NCPU")).append('\n');
        sb.append(" Total Memory: ").append(Units.bytesSize(Json.num(i, "MemTotal"))).append('\n');
        sb.append(" Name: ").append(Json.str(i, "Name")).append('\n');
        sb.append(" ID: ").append(Json.str(i, "ID")).append('\n');
        sb.append(" Docker Root Dir: ").append(Json.str(i, "DockerRootDir")).append('\n');
        sb.append(" Debug Mode: ").append(Json.bool(i, "Debug")).append('\n');
        sb.append(" Experimental: ").append(Json.bool(i, "ExperimentalBuild")).append('\n');
        sb.append(" Live Restore Enabled: ").append(Json.bool(i, "LiveRestoreEnabled")).append('\n');
        sb.append('\n');
        return sb.toString();
    }

    public static int events(Cli cli, ParsedArgs a) throws IOException {
        long now = System.currentTimeMillis();
        Query q = new Query()
                .opt("since", a.has("since") ? Timestamps.get(a.str("since"), now) : null)
                .opt("until", a.has("until") ? Timestamps.get(a.str("until"), now) : null)
                .opt("filters", Filters.toJson(a.list("filter")));
        String format = a.str("format", "");
        GoTemplate template = format.isEmpty() || format.equals("json") ? null : GoTemplate.parse(GoTemplate.unescape(format));
        try (HttpResponse r = cli.client().stream("GET", "/events" + q, null)) {
            Reader in = new InputStreamReader(r.body(), StandardCharsets.UTF_8);
            String raw;
            while ((raw = Json.nextValue(in)) != null) {
                Object ev = Json.parse(raw);
                if (format.equals("json")) cli.out.println(Json.toJson(ev));
                else if (template != null) cli.out.println(template.execute(ev));
                else cli.out.print(eventLine(ev));
                cli.out.flush();
            }
        }
        return 0;
    }

    /** Docker's prettyPrintEvent: time, type, action, actor id, sorted attributes. */
    static String eventLine(Object ev) {
        StringBuilder sb = new StringBuilder();
        long nanos = Json.num(ev, "timeNano");
        long secs = Json.num(ev, "time");
        if (nanos != 0) sb.append(GoTime.rfc3339NanoFixed(nanos)).append(' ');
        else if (secs != 0) sb.append(GoTime.rfc3339NanoFixed(secs * 1_000_000_000L)).append(' ');
        sb.append(Json.str(ev, "Type")).append(' ').append(Json.str(ev, "Action")).append(' ').append(Json.str(ev, "Actor", "ID"));
        Map<String, Object> attrs = new TreeMap<>(Json.obj(ev, "Actor", "Attributes"));
        if (!attrs.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Object> e : attrs.entrySet()) parts.add(e.getKey() + "=" + GoTemplate.print(e.getValue()));
            sb.append(" (").append(String.join(", ", parts)).append(')');
        }
        return sb.append('\n').toString();
    }
}
