package dev.berth.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code berth-registry serve --addr HOST:PORT --storage DIR [--read-only] [--upload-expiry 1h]},
 * {@code berth-registry serve [--config] FILE}, {@code berth-registry gc [--dry-run] (--storage DIR | [--config] FILE)};
 * FILE may be distribution's {@code config.yml}, and {@code serve config.yml} / {@code garbage-collect config.yml}
 * are distribution's own command lines.
 */
public final class Main {
    private Main() {}

    private static final String USAGE = """
            Usage:
              berth-registry serve --addr HOST:PORT --storage DIR [--read-only] [--upload-expiry DURATION]
              berth-registry serve [--config] FILE
              berth-registry gc [--dry-run] (--storage DIR | [--config] FILE)
            FILE: berth's JSON config, or distribution's config.yml (version: 0.1) as docker-registry reads it.
            gc needs the storage to itself or served read-only: it refuses while a read-write server runs.
            """;

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        try {
            switch (args[0]) {
                case "serve" -> {
                    List<String> rest = positionalConfig(List.of(args).subList(1, args.length));
                    serve(config(rest), configDir(rest));
                }
                case "gc", "garbage-collect" -> gc(positionalConfig(List.of(args).subList(1, args.length)));
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("berth-registry: " + e.getMessage());
            System.exit(e instanceof IllegalArgumentException ? 2 : 1);
        }
    }

    private static void serve(RegistryConfig config, Path configDir) throws Exception {
        dev.berth.registry.auth.Auth providers = config.auth() == null ? null
                : dev.berth.registry.auth.Auth.fromConfig(config.auth(), configDir);
        Authorizer auth = authorizer(providers);
        RegistryServer server = RegistryServer.start(config, auth, providers == null ? null : providers.tokenService().orElse(null));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // exiting anyway
            }
        }));
        System.err.println("berth-registry: listening on " + server.address().getHostString() + ":" + server.address().getPort()
                + (config.tlsCertificate() != null ? " (https)" : " (http)") + ", storage " + config.storage()
                + (config.readOnly() ? ", read-only" : ""));
        Thread.currentThread().join();
    }

    /**
     * The auth hook: allow-all without an {@code auth} section, else the htpasswd (Basic) or
     * token authorizer of {@code dev.berth.registry.auth}, its refusals as the spec's errors.
     */
    static Authorizer authorizer(dev.berth.registry.auth.Auth providers) {
        if (providers == null) return Authorizer.ALLOW_ALL;
        return (method, repository, action, headers) ->
                providers.authorizer().check(method, repository, action, headers) instanceof dev.berth.registry.auth.Decision.Deny d
                        ? new Authorizer.Decision.Deny(ErrorCode.valueOf(d.code()), d.message(), d.headers())
                        : Authorizer.Decision.ALLOW;
    }

    /** distribution's command line, {@code serve config.yml}: a lone argument is the config file. */
    static List<String> positionalConfig(List<String> args) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean takesValue = List.of("--addr", "--storage", "--config", "--upload-expiry").contains(a);
            if (takesValue && i + 1 < args.size()) {
                out.add(a);
                out.add(args.get(++i));
            } else if (!a.startsWith("-")) {
                out.add("--config");
                out.add(a);
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /** Where relative paths of a config file's auth section are resolved: the file's directory, else here. */
    static Path configDir(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String file = a.startsWith("--config=") ? a.substring(9) : a.equals("--config") && i + 1 < args.size() ? args.get(i + 1) : null;
            if (file != null) return Path.of(file).toAbsolutePath().getParent();
        }
        return Path.of("").toAbsolutePath();
    }

    private static void gc(List<String> args) throws Exception {
        boolean dryRun = args.contains("--dry-run");
        List<String> rest = args.stream().filter(a -> !a.equals("--dry-run")).toList();
        RegistryConfig config = config(rest);
        GarbageCollector.Result r = GarbageCollector.collect(config.storage(), dryRun);
        System.out.println((dryRun ? "would delete " : "deleted ") + r.deleted() + " blobs (" + r.bytesFreed()
                + " bytes), " + r.marked() + " referenced");
    }

    static RegistryConfig config(List<String> args) throws Exception {
        String addr = null, storage = null, configFile = null, expiry = null;
        boolean readOnly = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "--read-only" -> readOnly = true;
                case "--addr", "--storage", "--config", "--upload-expiry" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
                        value = args.get(++i);
                    }
                    switch (a) {
                        case "--addr" -> addr = value;
                        case "--storage" -> storage = value;
                        case "--config" -> configFile = value;
                        default -> expiry = value;
                    }
                }
                default -> throw new IllegalArgumentException("unknown flag " + a + "\n" + USAGE);
            }
        }
        if (configFile != null) {
            if (addr != null || storage != null || expiry != null || readOnly) {
                throw new IllegalArgumentException("--config cannot be combined with other flags");
            }
            return RegistryConfig.read(Path.of(configFile));
        }
        return new RegistryConfig(addr == null ? RegistryConfig.address("127.0.0.1:5000") : RegistryConfig.address(addr),
                storage == null ? null : Path.of(storage), null, null, readOnly, true,
                expiry == null ? null : RegistryConfig.duration(expiry), null);
    }
}
