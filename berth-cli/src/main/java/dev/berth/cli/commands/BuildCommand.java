package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.config.AuthConfig;
import dev.berth.cli.config.ConfigFile;
import dev.berth.cli.flags.Csv;
import dev.berth.cli.flags.FlagSpec;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.format.Units;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.http.HttpResponse;
import dev.berth.cli.http.Query;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * {@code berth build} / {@code berth image build}: docker CLI 28's legacy (non-BuildKit) build.
 * The context ({@link BuildContext}) is streamed as the chunked body of {@code POST /build}
 * with docker's query (keys sorted like Go's url.Values), {@code X-Registry-Config} (all
 * credentials of config.json) and "Sending build context to Docker daemon" progress; the
 * daemon's JSON message stream is printed as docker prints it, and an error message in it ends
 * the command with its {@code errorDetail.code} (e.g. a failed RUN's exit code) or 1. Berth is
 * its own builder, so docker's "legacy builder is deprecated" notice is not printed.
 */
public final class BuildCommand {
    static final String SENDING = "Sending build context to Docker daemon";

    private BuildCommand() {}

    /** docker's flag value checks for build ({@code validateTag}, {@code ValidateEnv}, MemBytes, MemSwapBytes, UlimitOpt). */
    public enum Check implements FlagSpec.Validator {
        TAG, ENV, BYTES, SWAP_BYTES, ULIMIT;

        @Override
        public String apply(String value) {
            switch (this) {
                case TAG -> {
                    if (value.matches("[a-f0-9]{64}")) {
                        throw new IllegalArgumentException("invalid repository name (" + value + "), cannot specify 64-byte hexadecimal strings");
                    }
                    ImageName.parse(value);
                    return value;
                }
                case ENV -> {
                    int eq = value.indexOf('=');
                    if ((eq < 0 ? value : value.substring(0, eq)).isEmpty()) {
                        throw new IllegalArgumentException("invalid environment variable: " + value);
                    }
                    return value;
                }
                case BYTES -> {
                    return Long.toString(ramInBytes(value));
                }
                case SWAP_BYTES -> {
                    return value.equals("-1") ? "-1" : Long.toString(ramInBytes(value));
                }
                case ULIMIT -> {
                    parseUlimit(value);
                    return value;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    public static int run(Cli cli, ParsedArgs a) throws IOException, CliException {
        String context = a.positionals().get(0);
        boolean quiet = a.bool("quiet");
        ByteArrayOutputStream progressBuffer = new ByteArrayOutputStream();
        ByteArrayOutputStream buildBuffer = new ByteArrayOutputStream();
        PrintStream progressOut = quiet ? new PrintStream(progressBuffer, true, StandardCharsets.UTF_8) : cli.out;
        PrintStream buildOut = quiet ? new PrintStream(buildBuffer, true, StandardCharsets.UTF_8) : cli.out;
        String iidFile = a.str("iidfile", "");
        if (!iidFile.isEmpty()) {
            try {
                Files.deleteIfExists(Path.of(iidFile));
            } catch (IOException e) {
                throw new CliException("Removing image ID file: " + e.getMessage(), 1);
            }
        }
        BuildContext.Prepared prepared = BuildContext.prepare(context, a.str("file", ""), cli.in);
        Query q = query(a, cli.env, cli.config(), cli.hostUri(), prepared.dockerfile());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-tar");
        headers.put("X-Registry-Config", registryConfig(cli.config()));
        boolean compress = a.bool("compress");
        Progress progress = new Progress(progressOut, Terminal.isTerminal(1));
        String[] imageId = {""};
        try (HttpResponse r = cli.client().upload("POST", "/build" + q, headers, out -> {
            CountingStream counted = new CountingStream(out, progress);
            OutputStream buffered = new BufferedOutputStream(counted, 65536);
            if (compress) {
                GZIPOutputStream gz = new GZIPOutputStream(buffered, 65536);
                prepared.body().writeTo(gz);
                gz.finish();
            } else {
                prepared.body().writeTo(buffered);
            }
            buffered.flush();
            progress.last();
        })) {
            JsonMessages.displayWithErrorCode(r.body(), buildOut, aux -> {
                String id = Json.str(aux, "ID");
                if (!id.isEmpty()) imageId[0] = id;
            });
        } catch (CliException e) {
            if (quiet) {
                cli.err.print(progressBuffer.toString(StandardCharsets.UTF_8) + buildBuffer.toString(StandardCharsets.UTF_8));
            }
            throw e;
        } catch (DaemonException e) {
            if (quiet) cli.err.print(progressBuffer.toString(StandardCharsets.UTF_8));
            throw e;
        }
        if (quiet) {
            imageId[0] = buildBuffer.toString(StandardCharsets.UTF_8);
            cli.out.print(imageId[0]);
        }
        if (!iidFile.isEmpty()) {
            if (imageId[0].isEmpty()) throw new CliException("Server did not provide an image ID. Cannot write " + iidFile, 1);
            try {
                Files.writeString(Path.of(iidFile), imageId[0]);
            } catch (NoSuchFileException e) {
                throw new CliException("open " + iidFile + ": no such file or directory", 1);
            }
        }
        return 0;
    }

    /**
     * The query of {@code POST /build} as docker's client builds it (imageBuildOptionsToQuery),
     * keys in Go's sorted order; only values that differ from the daemon's defaults are sent.
     */
    static Query query(ParsedArgs a, Map<String, String> env, ConfigFile config, String host, String dockerfile) {
        Map<String, List<String>> q = new TreeMap<>();
        Map<String, String> buildArgs = buildArgs(a.list("build-arg"), env, config, host);
        if (!buildArgs.isEmpty()) put(q, "buildargs", Json.toJson(buildArgs));
        List<String> cacheFrom = csv(a.list("cache-from"));
        if (!cacheFrom.isEmpty()) put(q, "cachefrom", Json.toJson(cacheFrom));
        putOpt(q, "cgroupparent", a.str("cgroup-parent", ""));
        putNum(q, "cpuperiod", a.integer("cpu-period", 0));
        putNum(q, "cpuquota", a.integer("cpu-quota", 0));
        putOpt(q, "cpusetcpus", a.str("cpuset-cpus", ""));
        putOpt(q, "cpusetmems", a.str("cpuset-mems", ""));
        putNum(q, "cpushares", a.integer("cpu-shares", 0));
        putOpt(q, "dockerfile", dockerfile);
        for (String h : a.list("add-host")) put(q, "extrahosts", h);
        if (a.bool("force-rm")) put(q, "forcerm", "1");
        String isolation = a.str("isolation", "");
        if (!isolation.isEmpty() && !isolation.equalsIgnoreCase("default")) put(q, "isolation", isolation);
        Map<String, String> labels = new TreeMap<>();
        for (String l : a.list("label")) {
            int eq = l.indexOf('=');
            labels.put(eq < 0 ? l : l.substring(0, eq), eq < 0 ? "" : l.substring(eq + 1));
        }
        if (!labels.isEmpty()) put(q, "labels", Json.toJson(labels));
        putNum(q, "memory", a.integer("memory", 0));
        putNum(q, "memswap", a.integer("memory-swap", 0));
        String network = a.str("network", "default");
        if (!network.isEmpty() && !network.equals("default")) put(q, "networkmode", network);
        if (a.bool("no-cache")) put(q, "nocache", "1");
        String platform = a.str("platform", env.getOrDefault("DOCKER_DEFAULT_PLATFORM", ""));
        putOpt(q, "platform", platform.toLowerCase());
        if (a.bool("pull")) put(q, "pull", "1");
        if (a.bool("quiet")) put(q, "q", "1");
        if (!a.bool("rm", true)) put(q, "rm", "0");
        for (String s : csv(a.list("security-opt"))) put(q, "securityopt", s);
        putNum(q, "shmsize", a.integer("shm-size", 0));
        if (a.bool("squash")) put(q, "squash", "1");
        for (String t : a.list("tag")) put(q, "t", t);
        putOpt(q, "target", a.str("target", ""));
        List<Object> ulimits = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String u : a.list("ulimit")) {
            long[] sh = parseUlimit(u);
            String name = u.substring(0, u.indexOf('='));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", name);
            m.put("Hard", sh[1]);
            m.put("Soft", sh[0]);
            Integer at = seen.get(name);
            if (at != null) {
                ulimits.set(at, m);
            } else {
                seen.put(name, ulimits.size());
                ulimits.add(m);
            }
        }
        if (!ulimits.isEmpty()) put(q, "ulimits", Json.toJson(ulimits));
        put(q, "version", "1");
        Query out = new Query();
        for (Map.Entry<String, List<String>> e : q.entrySet()) for (String v : e.getValue()) out.add(e.getKey(), v);
        return out;
    }

    private static void put(Map<String, List<String>> q, String k, String v) { q.computeIfAbsent(k, x -> new ArrayList<>()).add(v); }

    private static void putOpt(Map<String, List<String>> q, String k, String v) { if (v != null && !v.isEmpty()) put(q, k, v); }

    private static void putNum(Map<String, List<String>> q, String k, long v) { if (v != 0) put(q, k, Long.toString(v)); }

    private static List<String> csv(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) out.addAll(Csv.fields(v));
        return out;
    }

    /**
     * {@code --build-arg}s as the daemon takes them (sorted, like Go's map in JSON): {@code k=v}
     * as given, a bare {@code k} with the value from the environment, or null when the
     * environment has none; then the proxy settings of config.json ({@code proxies} for this
     * daemon host, else {@code default}) as HTTP_PROXY/http_proxy… unless given already.
     */
    static Map<String, String> buildArgs(List<String> given, Map<String, String> env, ConfigFile config, String host) {
        Map<String, String> m = new TreeMap<>();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq >= 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
            else m.put(kv, env.get(kv));
        }
        Object proxies = config.value("proxies");
        Object p = Json.get(proxies, host);
        if (p == null) p = Json.get(proxies, "default");
        String[][] keys = {{"HTTP_PROXY", "httpProxy"}, {"HTTPS_PROXY", "httpsProxy"}, {"NO_PROXY", "noProxy"},
            {"FTP_PROXY", "ftpProxy"}, {"ALL_PROXY", "allProxy"}};
        for (String[] k : keys) {
            String v = Json.str(p, k[1]);
            if (v.isEmpty()) continue;
            if (!m.containsKey(k[0])) m.put(k[0], v);
            if (!m.containsKey(k[0].toLowerCase())) m.put(k[0].toLowerCase(), v);
        }
        return m;
    }

    /** {@code X-Registry-Config}: base64url of every stored credential, by registry key ({@code e30=} for none). */
    static String registryConfig(ConfigFile config) {
        Map<String, Object> all = new TreeMap<>();
        for (Map.Entry<String, AuthConfig> e : config.allAuths().entrySet()) all.put(e.getKey(), e.getValue().toJson());
        return Base64.getUrlEncoder().encodeToString(Json.toJson(all).getBytes(StandardCharsets.UTF_8));
    }

    /** go-units RAMInBytes: "64m", "1.5g", "1024", "2 GiB" (binary multiples); docker's message otherwise. */
    static long ramInBytes(String s) {
        int sep = -1;
        for (int i = s.length() - 1; i >= 0; i--) {
            if ("01234567890. ".indexOf(s.charAt(i)) >= 0) {
                sep = i;
                break;
            }
        }
        if (sep < 0) throw new IllegalArgumentException("invalid size: '" + s + "'");
        String num = s.charAt(sep) == ' ' ? s.substring(0, sep) : s.substring(0, sep + 1);
        String sfx = s.substring(sep + 1);
        double size;
        try {
            if (!num.matches("[0-9]*\\.?[0-9]*([eE][+-]?[0-9]+)?") || num.isEmpty() || num.equals(".")) throw new NumberFormatException();
            size = Double.parseDouble(num);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("strconv.ParseFloat: parsing \"" + num + "\": invalid syntax");
        }
        if (sfx.isEmpty()) return (long) size;
        String lower = sfx.toLowerCase();
        if (sfx.length() > 3) throw new IllegalArgumentException("invalid suffix: '" + lower + "'");
        if (lower.charAt(0) == 'b') {
            if (lower.length() > 1) throw new IllegalArgumentException("invalid suffix: '" + lower + "'");
            return (long) size;
        }
        int power = "kmgtp".indexOf(lower.charAt(0));
        if (power < 0 || lower.length() == 2 && lower.charAt(1) != 'b' || lower.length() == 3 && !lower.substring(1).equals("ib")) {
            throw new IllegalArgumentException("invalid suffix: '" + lower + "'");
        }
        return (long) (size * Math.pow(1024, power + 1));
    }

    private static final Pattern ULIMIT = Pattern.compile("([^=]*)=(-?[0-9]+)(?::(-?[0-9]+))?");
    private static final List<String> ULIMIT_NAMES = List.of("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

    /** go-units ParseUlimit: {@code name=soft[:hard]}; returns {soft, hard}. */
    static long[] parseUlimit(String value) {
        int eq = value.indexOf('=');
        if (eq < 0 || value.indexOf('=', eq + 1) >= 0) throw new IllegalArgumentException("invalid ulimit argument: " + value);
        String name = value.substring(0, eq);
        if (!ULIMIT_NAMES.contains(name)) throw new IllegalArgumentException("invalid ulimit type: " + name);
        Matcher m = ULIMIT.matcher(value);
        if (!m.matches()) throw new IllegalArgumentException("invalid ulimit argument: " + value);
        long soft = Long.parseLong(m.group(2));
        long hard = m.group(3) == null ? soft : Long.parseLong(m.group(3));
        if (soft > hard) throw new IllegalArgumentException("ulimit soft limit must be less than or equal to hard limit: " + soft + " > " + hard);
        return new long[] {soft, hard};
    }

    /**
     * docker's upload progress ({@code progress.NewProgressReader} into a raw progress output):
     * {@code Sending build context to Docker daemon  2.048kB\r}; on a terminal redrawn every
     * 512 kB (at most every 100 ms), elsewhere only the final count; the final one ends with
     * "\r\n".
     */
    static final class Progress {
        private static final long EVERY = 512 * 1024;
        private final PrintStream out;
        private final boolean terminal;
        private long current;
        private long lastUpdate;
        private long lastPrintNanos;
        private boolean printedOnce;

        Progress(PrintStream out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        void add(long n) {
            current += n;
            if (current - lastUpdate > EVERY) {
                lastUpdate = current;
                long now = System.nanoTime();
                if (terminal && (!printedOnce || now - lastPrintNanos >= 100_000_000L)) {
                    printedOnce = true;
                    lastPrintNanos = now;
                    out.print(line(current));
                    out.flush();
                }
            }
        }

        void last() {
            out.print(line(current) + "\r\n");
            out.flush();
        }

        static String line(long bytes) {
            String size = Units.humanSize(bytes, 4);
            if (bytes <= 0) return SENDING + " \r";
            return SENDING + " " + " ".repeat(Math.max(0, 8 - size.length())) + size + "\r";
        }
    }

    /** Counts what goes to the socket (after gzip, as docker counts it). */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final Progress progress;

        CountingStream(OutputStream out, Progress progress) {
            this.out = out;
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            progress.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            progress.add(len);
        }

        @Override
        public void flush() throws IOException { out.flush(); }
    }

    /**
     * {@code berth builder prune [-a] [-f] [--filter] [--keep-storage]}: docker's prompt (a "no"
     * cancels quietly), {@code POST /build/prune}, the deleted cache IDs and the reclaimed space.
     */
    public static int prune(Cli cli, ParsedArgs a) throws IOException {
        boolean all = a.bool("all");
        List<String> filters = ImagePrune.withConfiguredFilters(a.list("filter"), cli.config().strings("pruneFilters"));
        String warning = all ? "WARNING! This will remove all build cache. Are you sure you want to continue?"
                : "WARNING! This will remove all dangling build cache. Are you sure you want to continue?";
        if (!a.bool("force") && !ImagePrune.confirm(cli, warning)) return 0;
        Query q = new Query().flag("all", all);
        String f = Filters.toJson(filters);
        q.add("filters", f == null ? "" : f);
        long keep = a.integer("keep-storage", 0);
        if (keep != 0) q.add("keep-storage", Long.toString(keep));
        Object report = cli.client().json("POST", "/build/prune" + q, null);
        List<Object> deleted = Json.list(report, "CachesDeleted");
        if (!deleted.isEmpty()) {
            StringBuilder sb = new StringBuilder("Deleted build cache objects:\n");
            for (Object id : deleted) sb.append(id).append('\n');
            cli.out.println(sb);
        }
        cli.out.println("Total reclaimed space: " + Units.humanSize(Json.num(report, "SpaceReclaimed"), 4));
        return 0;
    }
}
