package dev.berth.daemon.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.build.dockerfile.Dockerfile;
import dev.berth.daemon.build.dockerfile.DockerfileParser;
import dev.berth.daemon.build.dockerfile.Expander;
import dev.berth.daemon.build.dockerfile.Heredoc;
import dev.berth.daemon.build.dockerfile.Instruction;
import dev.berth.daemon.build.dockerfile.Stage;
import dev.berth.daemon.container.ContainerIo;
import dev.berth.daemon.container.ContainerRecord;
import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.container.UserSpec;
import dev.berth.daemon.content.Compression;
import dev.berth.daemon.content.Digest;
import dev.berth.daemon.distribution.ImagePull;
import dev.berth.daemon.distribution.Progress;
import dev.berth.daemon.distribution.RegistryClient;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.image.Image;
import dev.berth.daemon.image.ImageRef;
import dev.berth.daemon.image.ImageService;
import dev.berth.daemon.os.Signals;
import dev.berth.daemon.snapshot.LayerUnpacker;
import dev.berth.daemon.util.AtomicFiles;
import dev.berth.daemon.util.Ids;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The classic builder behind {@code POST /build}: a Dockerfile and a context become an image,
 * one intermediate image per instruction (Docker's model: each has the previous one as parent,
 * and a step is reused when the parent has a child made by the same step — the build cache).
 *
 * <p>RUN runs in a real container of {@link ContainerService} (same runtime, rootfs, limits as
 * any container); its upper dir becomes the step's layer. COPY and ADD write a fresh layer
 * directory. Config instructions only write an image config. Layers are written by
 * {@code LayerTarWriter} and so are reproducible; a step's cache key is its instruction (after
 * variable expansion), the build args it sees and, for COPY/ADD, the content of its sources —
 * never file times.
 */
public final class Builder {
    private static final Logger LOG = Logger.getLogger(Builder.class.getName());
    private static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    /** Build args usable without an ARG instruction, kept out of history (Docker's list). */
    private static final Set<String> PROXY_ARGS = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
            "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");
    /**
     * BuildKit's reproducibility knob, honoured here too: when given, every file time in the
     * layers written is clamped to it, and the image configs are dated with it.
     */
    static final String SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH";
    /**
     * What a RUN container's upper dir holds only because the runtime mounted something there:
     * Docker keeps these in the container's init layer, never in an image.
     */
    private static final Predicate<String> RUN_LAYER = p -> !(p.equals("etc/hosts") || p.equals("etc/hostname")
            || p.equals("etc/resolv.conf") || p.equals("dev") || p.equals("proc") || p.equals("sys") || p.equals(".dockerenv"));

    /** What a client asked for (the query of {@code POST /build}). */
    public record Options(List<String> tags, String dockerfile, Map<String, String> buildArgs, boolean noCache, String target,
                          Map<String, String> labels, boolean rm, boolean forceRm, boolean quiet, boolean pull,
                          String networkMode, String platform, List<String> extraHosts,
                          Map<String, RegistryClient.Credentials> registryAuth) {}

    /** Where the build's messages go: {@code stream} text and {@code aux} results, in order. */
    public interface Output {
        void stream(String text) throws IOException;
        void aux(ObjectNode aux) throws IOException;

        /**
         * The context is read: the request body is done with. A transport that can tell when its
         * client leaves calls {@code cancel.cancel()} then (dockerd cancels a build whose client
         * disconnects).
         */
        default void contextRead(Cancel cancel) throws IOException {}
    }

    /**
     * A build's cancellation: once cancelled, the RUN container that is running is killed (and
     * removed) and no further step starts; the build fails with {@code context canceled}.
     */
    public static final class Cancel {
        private boolean cancelled;
        private Runnable kill;

        public void cancel() {
            Runnable k;
            synchronized (this) {
                if (cancelled) return;
                cancelled = true;
                k = kill;
            }
            if (k != null) k.run();
        }

        public synchronized boolean cancelled() { return cancelled; }

        /** Registers how to stop the step now running; false if the build is cancelled already. */
        synchronized boolean running(Runnable killStep) {
            if (cancelled) return false;
            kill = killStep;
            return true;
        }

        synchronized void stepEnded() { kill = null; }

        void check() {
            if (cancelled()) throw new BuildFailure("context canceled", 0);
        }
    }

    /** A failed build: its message, and the exit code of a failed RUN (0 otherwise). */
    public static final class BuildFailure extends RuntimeException {
        private final int code;

        public BuildFailure(String message, int code) {
            super(message, null, false, false);
            this.code = code;
        }

        public int code() { return code; }
    }

    private final ImageService images;
    private final ContainerService containers;
    private final ImagePull pull;
    private final Path tmp;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30)).build();

    public Builder(Path dataRoot, ImageService images, ContainerService containers, ImagePull pull) throws IOException {
        this.images = images;
        this.containers = containers;
        this.pull = pull;
        this.tmp = dataRoot.resolve("builder/tmp");
        Files.createDirectories(tmp);
        RootfsView.cleanStale(tmp);
    }

    // ---- the build ----------------------------------------------------------------------------

    /** Builds from a context tar; returns the image, tagged as asked. */
    public Image build(InputStream context, Options o, Output out) throws IOException, InterruptedException {
        try (BuildContext ctx = BuildContext.unpack(context, tmp.resolve("ctx-" + UUID.randomUUID()))) {
            return build(ctx, o, out);
        }
    }

    /** A git build context, as dockerd tells them from other URLs: these need git, which the daemon does not run. */
    public static boolean isGitUrl(String remote) {
        return remote.startsWith("git://") || remote.startsWith("git@") || remote.startsWith("github.com/")
                || (remote.matches("^https?://.*") && remote.replaceFirst("#.*$", "").endsWith(".git"));
    }

    /**
     * {@code remote=<URL>} (API clients such as docker-py send it; the docker CLI downloads a URL
     * context itself): the daemon fetches it; an archive (tar, plain or compressed) is the
     * context, anything else is the Dockerfile of an otherwise empty context, as dockerd does.
     */
    public Image buildRemote(String url, Options o, Output out) throws IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("invalid remote build context " + url + ": " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw BerthException.invalid("unsupported remote build context " + url + ": an http(s) URL is expected");
        }
        Path file = tmp.resolve("remote-" + UUID.randomUUID());
        try {
            download(url, file);
            boolean archive;
            try (InputStream in = Compression.detect(new BufferedInputStream(Files.newInputStream(file), 65536))) {
                byte[] head = in.readNBytes(512);
                archive = head.length == 512 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
            }
            if (archive) {
                try (InputStream in = Files.newInputStream(file)) {
                    return build(in, o, out);
                }
            }
            String name = o.dockerfile() == null || o.dockerfile().isEmpty() ? "Dockerfile" : o.dockerfile();
            try (BuildContext ctx = BuildContext.ofDockerfile(Files.readAllBytes(file), name, tmp.resolve("ctx-" + UUID.randomUUID()))) {
                return build(ctx, o, out);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Image build(BuildContext ctx, Options o, Output out) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Cancel cancel = new Cancel();
        out.contextRead(cancel);
        String text = ctx.readDockerfile(o.dockerfile());
        LOG.fine(() -> "build context unpacked and Dockerfile read in " + (System.nanoTime() - t0) / 1000 + " us");
        Dockerfile df = DockerfileParser.parse(text);
        return new Run(ctx, df, o, out, cancel).run();
    }

    /** GET {@code url} into {@code to}; returns its Last-Modified time (epoch seconds) or 0. */
    private long download(String url, Path to) throws IOException, InterruptedException {
        HttpResponse<Path> res;
        try {
            res = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofFile(to));
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("invalid URL " + url + ": " + e.getMessage());
        } catch (IOException e) {
            throw BerthException.invalid("failed to GET " + url + ": " + e.getMessage());
        }
        if (res.statusCode() >= 400) {
            Files.deleteIfExists(to);
            throw BerthException.invalid("failed to GET " + url + " with status " + res.statusCode() + ": "
                    + (res.statusCode() == 404 ? "Not Found" : "HTTP error"));
        }
        return res.headers().firstValue("Last-Modified").map(v -> {
            try {
                return ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            } catch (RuntimeException e) {
                return 0L;
            }
        }).orElse(0L);
    }

    /** One stage's state while its instructions run. */
    private static final class StageState {
        final Stage stage;
        Image image;              // the current image; null for scratch until a step commits one
        ObjectNode config;        // the container config ("config" of the image config)
        String author;
        boolean cmdSet;
        final Map<String, String> args = new LinkedHashMap<>(); // ARGs in scope, in declaration order
        final List<ObjectNode> history = new ArrayList<>();     // for scratch-based images

        StageState(Stage stage) { this.stage = stage; }
    }

    private final class Run {
        final BuildContext ctx;
        final Dockerfile df;
        final Options o;
        final Output out;
        final Cancel cancel;
        final Map<String, String> metaArgs = new LinkedHashMap<>();
        final Set<String> usedArgs = new LinkedHashSet<>();
        final Map<Integer, Image> stageImages = new HashMap<>();
        final Long epoch;
        int step;
        int steps;

        Run(BuildContext ctx, Dockerfile df, Options o, Output out, Cancel cancel) {
            this.ctx = ctx;
            this.df = df;
            this.o = o;
            this.out = out;
            this.cancel = cancel;
            String e = o.buildArgs().get(SOURCE_DATE_EPOCH);
            try {
                this.epoch = e == null || e.isEmpty() ? null : Long.parseLong(e);
            } catch (NumberFormatException x) {
                throw BerthException.invalid("invalid SOURCE_DATE_EPOCH: " + e);
            }
        }

        Image run() throws IOException, InterruptedException {
            for (Instruction.Arg a : df.metaArgs()) {
                Instruction.Arg ex = (Instruction.Arg) a.expand(df.expander(metaArgs));
                for (Instruction.ArgDef d : ex.args()) {
                    String v = o.buildArgs().containsKey(d.name()) ? o.buildArgs().get(d.name()) : d.defaultValue();
                    if (o.buildArgs().containsKey(d.name())) usedArgs.add(d.name());
                    if (v != null) metaArgs.put(d.name(), v);
                    else metaArgs.remove(d.name());
                }
            }
            Stage target = df.stages().getLast();
            if (o.target() != null && !o.target().isEmpty()) {
                target = null;
                for (Stage s : df.stages()) if (o.target().equalsIgnoreCase(s.name())) target = s;
                if (target == null) throw BerthException.invalid("failed to reach build target " + o.target() + " in Dockerfile");
            }
            Set<Integer> needed = new java.util.TreeSet<>();
            need(target, needed);
            steps = df.metaArgs().size() + (o.labels().isEmpty() ? 0 : 1);
            for (int i : needed) steps += 1 + df.stages().get(i).instructions().size();
            for (Instruction.Arg a : df.metaArgs()) stepLine(a.original());

            Image result = null;
            for (int i : needed) {
                Stage s = df.stages().get(i);
                result = runStage(s, s == target);
                stageImages.put(i, result);
            }
            List<String> unused = new ArrayList<>();
            for (String k : o.buildArgs().keySet()) if (!usedArgs.contains(k) && !PROXY_ARGS.contains(k) && !k.equals(SOURCE_DATE_EPOCH)) unused.add(k);
            if (!unused.isEmpty()) {
                unused.sort(null);
                say("[Warning] One or more build-args " + unused.toString().replace(",", "") + " were not consumed\n");
            }
            out.aux(Json.obj().put("ID", result.id().toString()));
            say("Successfully built " + Ids.shortId(result.id().hex()) + "\n");
            for (String t : o.tags()) {
                ImageRef ref = ImageRef.parse(t);
                images.tag(result, ref);
                say("Successfully tagged " + ref.familiar() + "\n");
            }
            if (o.quiet()) out.stream(result.id() + "\n");
            return result;
        }

        /** The stages {@code s} depends on (FROM another stage, COPY --from), then {@code s}. */
        private void need(Stage s, Set<Integer> needed) {
            if (!needed.add(s.index())) return;
            Stage base = stageNamed(df.expander(metaArgs).word(s.from().image()), s.index());
            if (base != null) need(base, needed);
            for (Instruction in : s.instructions()) {
                if (!(in instanceof Instruction.Copy c) || c.from() == null) continue;
                String from = c.from();
                Stage dep = stageNamed(from, s.index());
                if (dep != null) need(dep, needed);
            }
        }

        /** An earlier stage by name or index, or null when {@code ref} names an image. */
        private Stage stageNamed(String ref, int before) {
            if (ref == null) return null;
            for (Stage s : df.stages()) {
                if (s.index() < before && s.name() != null && s.name().equalsIgnoreCase(ref)) return s;
            }
            if (ref.matches("\\d{1,9}")) {
                int i = Integer.parseInt(ref);
                if (i < before) return df.stages().get(i);
                throw BerthException.invalid("invalid from flag value " + ref + ": refers to current build stage or a later one");
            }
            return null;
        }

        private void say(String text) throws IOException {
            if (!o.quiet()) out.stream(text);
        }

        private void stepLine(String original) throws IOException {
            cancel.check();
            say("Step " + (++step) + "/" + steps + " : " + original + "\n");
        }

        // ---- stages ---------------------------------------------------------------------------

        private Image runStage(Stage stage, boolean isTarget) throws IOException, InterruptedException {
            StageState s = new StageState(stage);
            Instruction.From from = (Instruction.From) stage.from().expand(df.expander(metaArgs));
            stepLine(stage.from().original());
            checkPlatform(from.platform());
            String base = from.image();
            Stage baseStage = stageNamed(base, stage.index());
            if (baseStage != null) {
                s.image = stageImages.get(baseStage.index());
            } else if (!base.equalsIgnoreCase("scratch")) {
                s.image = baseImage(base);
            }
            if (s.image != null) {
                enter(s, s.image);
                say(" ---> " + Ids.shortId(s.image.id().hex()) + "\n");
            } else {
                s.config = Json.obj();
            }
            // Docker gives every built image a PATH when its base has none
            List<String> env = Json.strings(s.config, "Env");
            if (env == null || env.stream().noneMatch(e -> e.startsWith("PATH="))) {
                List<String> withPath = new ArrayList<>();
                withPath.add("PATH=" + ContainerService.DEFAULT_PATH);
                if (env != null) withPath.addAll(env);
                s.config.set("Env", strings(withPath));
            }
            // ONBUILD triggers of the base image run first, then are cleared
            JsonNode triggers = s.config.path("OnBuild");
            if (triggers.isArray() && !triggers.isEmpty()) {
                say("# Executing " + triggers.size() + " build trigger" + (triggers.size() == 1 ? "" : "s") + "\n");
                List<String> list = new ArrayList<>();
                triggers.forEach(t -> list.add(t.asText()));
                s.config.putNull("OnBuild");
                for (String t : list) {
                    execute(s, DockerfileParser.parseInstruction(t));
                }
            } else if (triggers.isArray()) {
                s.config.putNull("OnBuild");
            }
            for (Instruction in : stage.instructions()) {
                stepLine(in.original());
                long t0 = System.nanoTime();
                execute(s, in);
                LOG.fine(() -> "build step " + step + " " + in.keyword() + ": " + (System.nanoTime() - t0) / 1000 + " us");
            }
            if (isTarget && !o.labels().isEmpty()) {
                StringBuilder line = new StringBuilder("LABEL");
                new TreeMap<>(o.labels()).forEach((k, v) -> line.append(' ').append(quote(k)).append('=').append(quote(v)));
                stepLine(line.toString());
                ObjectNode labels = labels(s);
                new TreeMap<>(o.labels()).forEach(labels::put);
                commitConfig(s, "LABEL " + line.substring(6), "LABEL|" + new TreeMap<>(o.labels()));
            }
            if (s.image == null) s.image = commit(s, null, "", null);
            return s.image;
        }

        private void checkPlatform(String platform) {
            check(o.platform());
            check(platform);
        }

        private void check(String p) {
            if (p == null || p.isEmpty()) return;
            p = p.toLowerCase(java.util.Locale.ROOT);
            if (!p.equals("linux") && !p.equals("linux/amd64") && !p.equals("linux/amd64/v1") && !p.equals("linux/x86_64")) {
                throw BerthException.invalid("image with reference for platform " + p + " is not supported: this daemon builds linux/amd64");
            }
        }

        /** FROM or COPY --from an image: local, or pulled (always when {@code pull=1}). */
        private Image baseImage(String name) throws IOException, InterruptedException {
            ImageRef ref;
            try {
                ref = ImageRef.parse(name);
            } catch (BerthException e) {
                throw BerthException.invalid("invalid reference format: " + name);
            }
            Image local = images.store().tryResolve(name);
            if (local != null && !o.pull()) return local;
            Progress progress = new Progress(new OutputStream() {
                private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
                @Override public void write(int b) throws IOException {
                    if (b != '\n') {
                        line.write(b);
                        return;
                    }
                    JsonNode n = Json.parse(line.toByteArray());
                    line.reset();
                    String st = n.path("status").asText("");
                    if (!n.has("progressDetail") || n.path("progressDetail").isEmpty()) {
                        say((n.has("id") ? n.get("id").asText() + ": " : "") + st + "\n");
                    }
                }
            });
            // a failed pull fails the build, with --pull too, as in Docker
            return pull.pull(ref, o.platform(), progress, o.registryAuth().get(ref.domain()));
        }

        // ---- instructions ---------------------------------------------------------------------

        /** The stage's ENV list (never null). */
        private List<String> envList(StageState s) {
            List<String> env = Json.strings(s.config, "Env");
            return env == null ? List.of() : env;
        }

        /** What variables expand to: the ARGs in scope, overridden by ENV. */
        private Map<String, String> env(StageState s) {
            Map<String, String> env = new LinkedHashMap<>(s.args);
            for (String kv : envList(s)) {
                int eq = kv.indexOf('=');
                if (eq > 0) env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return env;
        }

        private void execute(StageState s, Instruction raw) throws IOException, InterruptedException {
            Expander ex = df.expander(env(s));
            Instruction in = raw.expand(ex);
            switch (in) {
                case Instruction.Run r -> run(s, r);
                case Instruction.Copy c -> copy(s, c.sources(), c.dest(), c.from(), c.chown(), c.chmod(), c.heredocs(), false, c.original());
                case Instruction.Add a -> copy(s, a.sources(), a.dest(), null, a.chown(), a.chmod(), a.heredocs(), true, a.original());
                case Instruction.Env e -> {
                    List<String> env = new ArrayList<>(envList(s));
                    StringBuilder text = new StringBuilder();
                    for (Instruction.KeyValue kv : e.pairs()) {
                        env.removeIf(x -> x.equals(kv.key()) || x.startsWith(kv.key() + "="));
                        env.add(kv.key() + "=" + kv.value());
                        text.append(text.isEmpty() ? "" : " ").append(kv.key()).append('=').append(kv.value());
                    }
                    s.config.set("Env", strings(env));
                    commitConfig(s, "ENV " + text, "ENV|" + text);
                }
                case Instruction.Label l -> {
                    ObjectNode labels = labels(s);
                    StringBuilder text = new StringBuilder();
                    for (Instruction.KeyValue kv : l.pairs()) {
                        labels.put(kv.key(), kv.value());
                        text.append(text.isEmpty() ? "" : " ").append(kv.key()).append('=').append(kv.value());
                    }
                    commitConfig(s, "LABEL " + text, "LABEL|" + text);
                }
                case Instruction.Cmd c -> {
                    List<String> cmd = c.execForm() ? c.args() : shellCommand(s, c.command());
                    s.config.set("Cmd", strings(cmd));
                    s.cmdSet = true;
                    commitConfig(s, "CMD " + goList(cmd), "CMD|" + Json.string(cmd));
                }
                case Instruction.Entrypoint e -> {
                    List<String> ep = e.execForm() ? e.args() : shellCommand(s, e.command());
                    s.config.set("Entrypoint", strings(ep));
                    if (!s.cmdSet) s.config.putNull("Cmd"); // an ENTRYPOINT drops the base image's CMD
                    commitConfig(s, "ENTRYPOINT " + goList(ep), "ENTRYPOINT|" + Json.string(ep));
                }
                case Instruction.Expose e -> {
                    ObjectNode ports = s.config.path("ExposedPorts").isObject() ? (ObjectNode) s.config.get("ExposedPorts") : s.config.putObject("ExposedPorts");
                    List<String> added = new ArrayList<>();
                    for (String p : e.ports()) {
                        for (String spec : exposeSpecs(p)) {
                            ports.putObject(spec);
                            added.add(spec);
                        }
                    }
                    commitConfig(s, "EXPOSE " + String.join(" ", added.stream().sorted().toList()), "EXPOSE|" + added);
                }
                case Instruction.Workdir w -> workdir(s, w.path());
                case Instruction.User u -> {
                    s.config.put("User", u.user());
                    commitConfig(s, "USER " + u.user(), "USER|" + u.user());
                }
                case Instruction.Volume v -> {
                    ObjectNode vols = s.config.path("Volumes").isObject() ? (ObjectNode) s.config.get("Volumes") : s.config.putObject("Volumes");
                    for (String p : v.paths()) {
                        if (p.isEmpty()) throw BerthException.invalid("VOLUME specified can not be an empty string");
                        vols.putObject(p);
                    }
                    commitConfig(s, "VOLUME [" + String.join(" ", v.paths()) + "]", "VOLUME|" + v.paths());
                }
                case Instruction.Stopsignal st -> {
                    try {
                        Signals.parse(st.signal());
                    } catch (IllegalArgumentException e) {
                        throw BerthException.invalid(e.getMessage());
                    }
                    s.config.put("StopSignal", st.signal());
                    commitConfig(s, "STOPSIGNAL " + st.signal(), "STOPSIGNAL|" + st.signal());
                }
                case Instruction.Healthcheck h -> {
                    ObjectNode hc = Json.obj();
                    if (h.none()) {
                        hc.putArray("Test").add("NONE");
                    } else {
                        hc.set("Test", strings(h.test()));
                        if (!h.interval().isZero()) hc.put("Interval", h.interval().toNanos());
                        if (!h.timeout().isZero()) hc.put("Timeout", h.timeout().toNanos());
                        if (!h.startPeriod().isZero()) hc.put("StartPeriod", h.startPeriod().toNanos());
                        if (!h.startInterval().isZero()) hc.put("StartInterval", h.startInterval().toNanos());
                        if (h.retries() > 0) hc.put("Retries", h.retries());
                    }
                    s.config.set("Healthcheck", hc);
                    commitConfig(s, "HEALTHCHECK " + Json.string(hc), "HEALTHCHECK|" + Json.string(hc));
                }
                case Instruction.Shell sh -> {
                    s.config.set("Shell", strings(sh.shell()));
                    commitConfig(s, "SHELL [" + String.join(" ", sh.shell()) + "]", "SHELL|" + Json.string(sh.shell()));
                }
                case Instruction.Onbuild ob -> {
                    ArrayNode list = s.config.path("OnBuild").isArray() ? (ArrayNode) s.config.get("OnBuild") : s.config.putArray("OnBuild");
                    list.add(ob.expression());
                    commitConfig(s, "ONBUILD " + ob.expression(), "ONBUILD|" + ob.expression());
                }
                case Instruction.Maintainer m -> {
                    s.author = m.maintainer();
                    commitConfig(s, "MAINTAINER " + m.maintainer(), "MAINTAINER|" + m.maintainer());
                }
                case Instruction.Arg a -> {
                    StringBuilder text = new StringBuilder();
                    StringBuilder key = new StringBuilder("ARG");
                    for (Instruction.ArgDef d : a.args()) {
                        String v;
                        if (o.buildArgs().containsKey(d.name())) {
                            v = o.buildArgs().get(d.name());
                            usedArgs.add(d.name());
                        } else if (d.defaultValue() != null) {
                            v = d.defaultValue();
                        } else {
                            v = metaArgs.get(d.name());
                        }
                        if (v != null) s.args.put(d.name(), v);
                        text.append(text.isEmpty() ? "" : " ").append(d.name()).append(d.defaultValue() != null ? "=" + d.defaultValue() : "");
                        // the value is not part of the key (as in Docker): the steps using it are keyed by it
                        key.append('|').append(d.name()).append('=').append(d.defaultValue());
                    }
                    commitConfig(s, "ARG " + text, key.toString());
                }
                case Instruction.From f -> throw BerthException.invalid("FROM is not allowed here");
            }
        }

        private ObjectNode labels(StageState s) {
            return s.config.path("Labels").isObject() ? (ObjectNode) s.config.get("Labels") : s.config.putObject("Labels");
        }

        private List<String> shellCommand(StageState s, String script) {
            List<String> shell = Json.strings(s.config, "Shell");
            List<String> cmd = new ArrayList<>(shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell);
            cmd.add(script);
            return cmd;
        }

        private String shellText(StageState s) {
            List<String> shell = Json.strings(s.config, "Shell");
            return String.join(" ", shell == null || shell.isEmpty() ? DEFAULT_SHELL : shell);
        }

        // ---- commits and the cache ------------------------------------------------------------

        /** The stage continues from {@code img}: its image, config and author. */
        private void enter(StageState s, Image img) {
            s.image = img;
            JsonNode c = img.containerConfig();
            s.config = c.isObject() ? ((ObjectNode) c).deepCopy() : Json.obj();
            s.author = img.config().path("author").asText(null);
        }

        /** A config-only step: cached, or a new image without a layer. */
        private void commitConfig(StageState s, String text, String key) throws IOException {
            if (useCache(s, key)) return;
            s.image = commit(s, shellText(s) + " #(nop)  " + text, key, null);
            say(" ---> " + Ids.shortId(s.image.id().hex()) + "\n");
        }

        private String cacheKey(String key) {
            return Digest.of(("berth-build-v1\nepoch=" + epoch + "\n" + key).getBytes(StandardCharsets.UTF_8)).hex();
        }

        /** Looks the step up among the current image's children; on a hit the stage moves to it. */
        private boolean useCache(StageState s, String key) throws IOException {
            if (o.noCache()) return false;
            Image hit = images.store().cached(s.image == null ? null : s.image.id(), cacheKey(key));
            if (hit == null) return false;
            enter(s, hit);
            say(" ---> Using cache\n ---> " + Ids.shortId(hit.id().hex()) + "\n");
            return true;
        }

        /** Writes the image config for the stage's current state (+ a layer) as a child of its image. */
        private Image commit(StageState s, String createdBy, String key, ImageService.NewLayer layer) throws IOException {
            ObjectNode cfg;
            if (s.image != null) {
                cfg = s.image.config().deepCopy();
                cfg.remove(List.of("container", "container_config", "docker_version"));
            } else {
                cfg = Json.obj();
                cfg.put("architecture", "amd64");
                cfg.put("os", "linux");
                cfg.putObject("rootfs").put("type", "layers").putArray("diff_ids");
                cfg.putArray("history");
            }
            String now = Times.rfc3339Nano(epoch != null ? Instant.ofEpochSecond(epoch) : Instant.now());
            cfg.put("created", now);
            if (s.author != null && !s.author.isEmpty()) cfg.put("author", s.author);
            cfg.set("config", s.config.deepCopy());
            if (createdBy != null) {
                ArrayNode history = cfg.path("history").isArray() ? (ArrayNode) cfg.get("history") : cfg.putArray("history");
                ObjectNode h = history.addObject().put("created", now).put("created_by", createdBy);
                if (layer == null) h.put("empty_layer", true);
            }
            if (layer != null) {
                ObjectNode rootfs = cfg.path("rootfs").isObject() ? (ObjectNode) cfg.get("rootfs") : cfg.putObject("rootfs");
                rootfs.put("type", "layers");
                (rootfs.path("diff_ids").isArray() ? (ArrayNode) rootfs.get("diff_ids") : rootfs.putArray("diff_ids")).add(layer.diffId().toString());
            }
            Digest id = images.content().put(Json.bytes(cfg));
            return images.store().add(id, s.image == null ? null : s.image.id(), key.isEmpty() ? null : cacheKey(key));
        }

        private Digest topChain(StageState s) {
            if (s.image == null) return null;
            List<Digest> chains = s.image.chainIds();
            return chains.isEmpty() ? null : chains.getLast();
        }

        // ---- RUN ------------------------------------------------------------------------------

        private void run(StageState s, Instruction.Run r) throws IOException, InterruptedException {
            List<String> argv = r.execForm() ? r.args() : shellCommand(s, r.shebangScript() != null ? shebangRunner(r.shebangScript().content()) : r.script());
            if (!r.mounts().isEmpty()) {
                throw BerthException.invalid("the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled");
            }
            // build args in scope reach the command as environment (ENV wins), and are part of
            // the step's identity, as Docker's "|N k=v" history prefix shows
            List<String> argEnv = new ArrayList<>();
            StringBuilder prefix = new StringBuilder();
            int n = 0;
            TreeMap<String, String> argsSorted = new TreeMap<>(s.args);
            List<String> stageEnv = envList(s);
            for (Map.Entry<String, String> e : argsSorted.entrySet()) {
                if (stageEnv.stream().anyMatch(x -> x.startsWith(e.getKey() + "="))) continue; // ENV wins
                argEnv.add(e.getKey() + "=" + e.getValue());
                prefix.append(' ').append(e.getKey()).append('=').append(e.getValue());
                n++;
            }
            for (String p : PROXY_ARGS) {
                if (o.buildArgs().containsKey(p) && !s.args.containsKey(p)) {
                    argEnv.add(p + "=" + o.buildArgs().get(p));
                    usedArgs.add(p);
                }
            }
            String createdBy = (n > 0 ? "|" + n + prefix + " " : "") + String.join(" ", argv);
            String key = "RUN|" + Json.string(argv) + "|" + argEnv + "|net=" + (r.network() != null ? r.network() : networkMode());
            if (useCache(s, key)) return;
            if (s.image == null) s.image = commit(s, null, "", null);

            ObjectNode body = Json.obj();
            body.put("Image", s.image.id().toString());
            body.set("Cmd", strings(argv));
            body.putArray("Entrypoint").add("");
            body.set("Env", strings(argEnv));
            body.put("User", s.config.path("User").asText(""));
            body.put("WorkingDir", s.config.path("WorkingDir").asText(""));
            ObjectNode hc = body.putObject("HostConfig");
            hc.put("NetworkMode", r.network() != null && !r.network().isEmpty() ? networkMode(r.network()) : networkMode());
            if (o.extraHosts() != null && !o.extraHosts().isEmpty()) hc.set("ExtraHosts", strings(o.extraHosts()));
            ContainerRecord c = containers.create(body, null);
            String shortId = Ids.shortId(c.id);
            boolean removeContainer = true;
            try {
                say(" ---> Running in " + shortId + "\n");
                ContainerIo io = containers.io(c);
                ContainerIo.LatchSink sink = new ContainerIo.LatchSink() {
                    @Override public void write(int stream, byte[] data, int off, int len, Instant time) throws IOException {
                        String text = new String(data, off, len, StandardCharsets.UTF_8);
                        say(stream == 2 ? "\u001b[91m" + text + "\u001b[0m" : text);
                    }
                };
                io.attach(sink, null);
                if (!cancel.running(() -> killStep(c.id))) cancel.check();
                int code;
                try {
                    containers.start(c.id);
                    if (cancel.cancelled()) killStep(c.id); // a cancel before the start found nothing to kill
                    code = containers.await(c, "not-running");
                } finally {
                    cancel.stepEnded();
                }
                if (cancel.cancelled()) {
                    removeContainer = true; // as dockerd: a cancelled step's container is killed and removed
                    cancel.check();
                }
                sink.awaitEnd();
                if (code != 0) {
                    removeContainer = o.forceRm();
                    throw new BuildFailure("The command '" + String.join(" ", argv) + "' returned a non-zero code: " + code, code);
                }
                Path upper = containers.store().dir(c.id).resolve("fs/upper");
                ImageService.NewLayer layer = images.addLayer(upper, topChain(s), epoch, RUN_LAYER, o.rm());
                removeContainer = o.rm();
                s.image = commit(s, createdBy, key, layer);
            } finally {
                if (removeContainer) {
                    try {
                        containers.remove(c.id, true, false);
                        say(" ---> Removed intermediate container " + shortId + "\n");
                    } catch (BerthException.NotFound ignored) {
                        // gone already
                    }
                }
            }
            say(" ---> " + Ids.shortId(s.image.id().hex()) + "\n");
        }

        /** Kills a RUN container whose build was cancelled (it may not have started yet, or have ended). */
        private void killStep(String id) {
            try {
                containers.kill(id, "KILL");
            } catch (IOException | RuntimeException e) {
                LOG.fine(() -> "cancelled build: killing " + id + ": " + e.getMessage());
            }
        }

        /**
         * {@code RUN <<EOF} whose body starts with {@code #!}: BuildKit runs the body as an
         * executable file. Here the shell writes it to a temporary file, runs it and deletes it.
         */
        private String shebangRunner(String body) {
            String end = "BERTH_SCRIPT_" + Long.toHexString(Double.doubleToLongBits(Math.random()));
            return "f=$(mktemp) && cat > \"$f\" <<'" + end + "'\n" + body + (body.endsWith("\n") ? "" : "\n") + end + "\n"
                    + "chmod +x \"$f\" && \"$f\"; r=$?; rm -f \"$f\"; exit $r";
        }

        private String networkMode() {
            return networkMode(o.networkMode());
        }

        private String networkMode(String m) {
            // Berth's builder runs RUN without a network unless asked (see docs/architecture.md)
            return m == null || m.isEmpty() || m.equals("default") ? "none" : m;
        }

        // ---- WORKDIR --------------------------------------------------------------------------

        private void workdir(StageState s, String path) throws IOException {
            String prev = s.config.path("WorkingDir").asText("");
            String wd = path.startsWith("/") ? path : (prev.isEmpty() ? "/" : prev) + "/" + path;
            wd = "/" + BuildContext.clean(wd.replaceAll("/+", "/"));
            s.config.put("WorkingDir", wd);
            String key = "WORKDIR|" + wd;
            if (useCache(s, key)) return;
            // the directory is made now (as root), so it exists even for a config-only image
            ImageService.NewLayer layer = null;
            try (RootfsView view = RootfsView.of(s.image, images.layers(), tmp)) {
                String rel = BuildContext.clean(wd);
                Path real = dev.berth.daemon.container.RootPath.resolve(view.root(), rel);
                if (!Files.isDirectory(real)) {
                    Path dir = tmp.resolve("layer-" + UUID.randomUUID());
                    Files.createDirectories(dir);
                    try {
                        new Copier(dir, view.root(), new Copier.Options(null, null, null, true, 0)).ensureDir(view.root().relativize(real).toString());
                        layer = images.addLayer(dir, topChain(s), epoch, p -> true, true);
                    } finally {
                        if (Files.exists(dir)) AtomicFiles.deleteTree(dir);
                    }
                }
            }
            s.image = commit(s, shellText(s) + " #(nop) WORKDIR " + wd, key, layer);
            say(" ---> " + Ids.shortId(s.image.id().hex()) + "\n");
        }

        // ---- COPY and ADD ---------------------------------------------------------------------

        private void copy(StageState s, List<String> sources, String dest, String from, String chown, String chmod,
                          List<Heredoc> heredocs, boolean add, String original) throws IOException, InterruptedException {
            String op = add ? "ADD" : "COPY";
            Integer mode = null;
            if (chmod != null && !chmod.isEmpty()) {
                if (!chmod.matches("[0-7]{1,4}")) throw BerthException.invalid("invalid chmod parameter: " + chmod);
                mode = Integer.parseInt(chmod, 8);
            }
            String wd = s.config.path("WorkingDir").asText("");
            String absDest = dest.startsWith("/") ? dest : (wd.isEmpty() ? "/" : wd + "/") + dest;
            boolean destIsDir = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
            int count = sources.size() + (heredocs == null ? 0 : heredocs.size());

            Image fromImage = null;
            if (from != null && !from.isEmpty()) {
                Stage st = stageNamed(from, Integer.MAX_VALUE);
                fromImage = st != null ? stageImages.get(st.index()) : baseImage(from);
                if (fromImage == null) throw BerthException.invalid("invalid from flag value " + from + ": stage not built");
            }
            try (RootfsView fromView = fromImage == null ? null : RootfsView.of(fromImage, images.layers(), tmp);
                 RootfsView view = RootfsView.of(s.image, images.layers(), tmp)) {
                Path base = fromView != null ? fromView.root() : ctx.root();
                // resolve sources (and downloads) first: the cache key needs their content
                List<Path> local = new ArrayList<>();
                List<Path> downloads = new ArrayList<>();
                List<String> downloadNames = new ArrayList<>();
                List<Long> downloadTimes = new ArrayList<>();
                List<String> downloadUrls = new ArrayList<>();
                try {
                    for (String src : sources) {
                        if (add && (src.startsWith("http://") || src.startsWith("https://"))) {
                            Path f = tmp.resolve("dl-" + UUID.randomUUID());
                            long mtime = download(src, f);
                            downloads.add(f);
                            downloadUrls.add(src);
                            downloadNames.add(urlName(src));
                            downloadTimes.add(mtime);
                            continue;
                        }
                        if (src.startsWith("http://") || src.startsWith("https://")) {
                            throw BerthException.invalid("source can't be a URL for COPY");
                        }
                        List<Path> found = BuildContext.sources(base, src, op);
                        if (found.isEmpty()) throw BerthException.invalid(op + " failed: no source files were specified");
                        if (found.size() > 1) count += found.size() - 1;
                        local.addAll(found);
                    }
                    if (count > 1 && !destIsDir) {
                        throw BerthException.invalid("When using " + op + " with more than one source file, the destination must be a directory and end with a /");
                    }
                    StringBuilder key = new StringBuilder(op + "|" + absDest + "|" + chown + "|" + chmod + "|");
                    if (fromImage != null) key.append("from=").append(fromImage.id()).append('|');
                    String hash = BuildContext.contentHash(local, base);
                    key.append(hash);
                    for (int i = 0; i < downloads.size(); i++) {
                        key.append("|url=").append(downloadUrls.get(i)).append('@').append(BuildContext.fileDigest(downloads.get(i))).append('@').append(downloadTimes.get(i));
                    }
                    if (heredocs != null) for (Heredoc h : heredocs) key.append("|heredoc=").append(h.name()).append('=').append(h.content());
                    String kind = count > 1 ? "multi" : !local.isEmpty() && Files.isDirectory(local.getFirst(), LinkOption.NOFOLLOW_LINKS) ? "dir" : "file";
                    String createdBy = shellText(s) + " #(nop) " + op + " " + kind + ":" + Digest.of(key.toString().getBytes(StandardCharsets.UTF_8)).hex()
                            + " in " + dest + " ";
                    if (useCache(s, key.toString())) return;

                    int[] owner = chown == null || chown.isEmpty() ? null : owner(view.root(), chown);
                    long dirTime = Instant.now().getEpochSecond();
                    if (!local.isEmpty()) dirTime = Files.getLastModifiedTime(local.getFirst(), LinkOption.NOFOLLOW_LINKS).toMillis() / 1000;
                    Copier.Options co = new Copier.Options(owner == null ? null : owner[0], owner == null ? null : owner[1], mode,
                            fromImage == null, dirTime);
                    Path dir = tmp.resolve("layer-" + UUID.randomUUID());
                    Files.createDirectories(dir);
                    try {
                        Copier copier = new Copier(dir, view.root(), co);
                        String destRel = copier.resolveDest(absDest);
                        boolean intoDir = destIsDir || copier.isDirInImage(destRel);
                        for (Path src : local) {
                            if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                                copier.copyContents(src, destRel);
                            } else if (add && isArchive(src)) {
                                Path target = copier.ensureDir(destRel);
                                try (InputStream in = Compression.detect(new BufferedInputStream(Files.newInputStream(src), 65536))) {
                                    LayerUnpacker.unpack(in, target);
                                } catch (dev.berth.daemon.snapshot.InvalidLayerException e) {
                                    throw BerthException.invalid(op + " failed: " + e.getMessage());
                                }
                            } else {
                                copier.copyTo(src, intoDir ? join(destRel, src.getFileName().toString()) : destRel);
                            }
                        }
                        for (int i = 0; i < downloads.size(); i++) {
                            byte[] data = Files.readAllBytes(downloads.get(i));
                            copier.writeFile(data, intoDir ? join(destRel, downloadNames.get(i)) : destRel, 0600, downloadTimes.get(i));
                        }
                        if (heredocs != null) {
                            for (Heredoc h : heredocs) {
                                copier.writeFile(h.content().getBytes(StandardCharsets.UTF_8),
                                        intoDir ? join(destRel, h.name()) : destRel, 0644, 0);
                            }
                        }
                        ImageService.NewLayer layer = images.addLayer(dir, topChain(s), epoch, p -> true, true);
                        s.image = commit(s, createdBy, key.toString(), layer);
                    } finally {
                        if (Files.exists(dir)) AtomicFiles.deleteTree(dir);
                    }
                } finally {
                    for (Path d : downloads) Files.deleteIfExists(d);
                }
            }
            say(" ---> " + Ids.shortId(s.image.id().hex()) + "\n");
        }

        /** {@code --chown=user[:group]}: names looked up in the image; a lone user or uid is also the gid. */
        private int[] owner(Path root, String chown) throws IOException {
            String user = chown;
            String group = null;
            int colon = chown.indexOf(':');
            if (colon >= 0) {
                user = chown.substring(0, colon);
                group = chown.substring(colon + 1);
            }
            int uid = user.matches("\\d+") ? Integer.parseInt(user) : UserSpec.resolve(root, user).uid();
            int gid;
            if (group == null || group.isEmpty()) gid = uid;
            else if (group.matches("\\d+")) gid = Integer.parseInt(group);
            else gid = UserSpec.resolve(root, "0:" + group).gid();
            return new int[] {uid, gid};
        }

        /** ADD from a URL: the body into {@code to}; returns the mtime (Last-Modified, else 0). */
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** The file name an ADD of a URL gets: the last path segment, else the host. */
    static String urlName(String url) {
        URI u = URI.create(url);
        String path = u.getPath() == null ? "" : u.getPath();
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) throw BerthException.invalid("cannot determine filename from url: " + url);
        return name;
    }

    /** Whether a file is a tar archive (plain, gzip, bzip2 or xz), which ADD unpacks. */
    static boolean isArchive(Path f) throws IOException {
        try (InputStream in = Compression.detect(new BufferedInputStream(Files.newInputStream(f), 65536))) {
            byte[] head = in.readNBytes(512);
            if (head.length < 512) return false;
            String magic = new String(head, 257, 5, StandardCharsets.US_ASCII);
            return magic.equals("ustar");
        } catch (IOException e) {
            return false;
        }
    }

    /** EXPOSE's forms: 80, 80/udp, 8000-8002/tcp (each port of a range). */
    static List<String> exposeSpecs(String p) {
        String proto = "tcp";
        String ports = p;
        int slash = p.indexOf('/');
        if (slash >= 0) {
            proto = p.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            ports = p.substring(0, slash);
        }
        if (!List.of("tcp", "udp", "sctp").contains(proto)) throw BerthException.invalid("invalid proto: " + proto);
        List<String> out = new ArrayList<>();
        try {
            int dash = ports.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? ports : ports.substring(0, dash));
            int hi = dash < 0 ? lo : Integer.parseInt(ports.substring(dash + 1));
            if (lo < 0 || hi > 65535 || lo > hi) throw new NumberFormatException();
            for (int i = lo; i <= hi; i++) out.add(i + "/" + proto);
        } catch (NumberFormatException e) {
            throw BerthException.invalid("invalid containerPort: " + ports);
        }
        return out;
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = Json.arr();
        l.forEach(a::add);
        return a;
    }

    /** Go's %v of a string slice inside {@code []} with each element quoted, as docker history shows CMD. */
    private static String goList(List<String> l) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) b.append(' ');
            b.append(Json.string(l.get(i)));
        }
        return b.append(']').toString();
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_.\\-/:]+") ? s : Json.string(s);
    }
}
