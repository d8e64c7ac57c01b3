package dev.berth.cli.commands;

import dev.berth.cli.Cli;
import dev.berth.cli.CliException;
import dev.berth.cli.config.AuthConfig;
import dev.berth.cli.config.ConfigFile;
import dev.berth.cli.flags.ParsedArgs;
import dev.berth.cli.http.DaemonException;
import dev.berth.cli.json.Json;
import dev.berth.cli.term.Terminal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * login, logout, and the credentials sent with pull and push — the docker CLI 28's flow:
 * the daemon checks credentials ({@code POST /auth}); the client keeps them in config.json
 * and sends them as {@code X-Registry-Auth} for the registry host of each reference.
 */
public final class RegistryCommands {
    static final String AUTH_HEADER = "X-Registry-Auth";

    private RegistryCommands() {}

    /**
     * The {@code X-Registry-Auth} header for {@code name}'s registry (Docker Hub's key for
     * docker.io), from config.json; {@code e30=} ({@code {}}) when nothing is stored, as docker sends.
     */
    static Map<String, String> authHeader(Cli cli, ImageName name) {
        return Map.of(AUTH_HEADER, resolve(cli, name).header());
    }

    static AuthConfig resolve(Cli cli, ImageName name) {
        ConfigFile cfg = cli.config();
        String key = ConfigFile.keyForDomain(name.domain());
        if (cfg.loadError() != null) cli.err.println("WARNING: Error loading config file: " + cfg.loadError());
        String helper = cfg.helperMessage(key);
        if (helper != null) cli.err.println("WARNING: " + helper + "; using only the credentials stored in the file itself");
        return cfg.get(key);
    }

    /** {@code berth login [SERVER] [-u USER] [-p PASS | --password-stdin]}. */
    public static int login(Cli cli, ParsedArgs a) throws IOException, CliException {
        String user = a.str("username", "");
        String password = a.str("password", "");
        if (a.has("password-stdin")) {
            if (a.has("password")) throw new CliException("conflicting options: cannot specify both --password and --password-stdin", 1);
            if (!a.has("username")) throw new CliException("the --password-stdin option requires --username to be set", 1);
        }
        if (a.has("username") && user.isEmpty()) throw new CliException("username is empty", 1);
        if (a.has("password") && password.isEmpty()) throw new CliException("password is empty", 1);
        if (!password.isEmpty()) cli.err.println("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        if (a.bool("password-stdin")) {
            password = new String(cli.in.readAllBytes(), StandardCharsets.UTF_8);
            if (password.endsWith("\n")) password = password.substring(0, password.length() - 1);
            if (password.endsWith("\r")) password = password.substring(0, password.length() - 1);
        }

        String server = a.positionals().isEmpty() ? "" : a.positionals().get(0);
        String address = !server.isEmpty() && !server.equals("docker.io") ? server : ConfigFile.INDEX_SERVER;
        boolean hub = address.equals(ConfigFile.INDEX_SERVER);
        String key = hub ? address : ConfigFile.convertToHostname(address);

        ConfigFile cfg = cli.config();
        if (cfg.loadError() != null) throw new CliException("Error: cannot read " + cfg.loadError() + "; fix or remove the file first", 1);
        String helper = cfg.helperMessage(key);
        if (helper != null) {
            throw new CliException("Error: " + helper + ": remove it from that file to let berth store credentials there", 1);
        }

        // With neither user nor password given, try what is stored first (docker 28 does).
        AuthConfig stored = user.isEmpty() && password.isEmpty() ? cfg.get(key) : AuthConfig.NONE;
        if (!stored.username().isEmpty() && !stored.password().isEmpty()) {
            AuthConfig again = AuthConfig.of(stored.username(), stored.password(), key);
            cli.err.print("Authenticating with existing credentials... [Username: " + again.username() + "]\n");
            cli.err.print("\n Info -> To login with a different account, run 'berth logout' followed by 'berth login'\n\n\n");
            try {
                Login login = authenticate(cli, again);
                storeCredentials(cli, again, login);
                if (!login.status().isEmpty()) cli.out.println(login.status());
                return 0;
            } catch (DaemonException e) {
                if (e.status() == 401) cli.err.println("Stored credentials invalid or expired");
                else cli.err.println("Login did not succeed, error: " + e.display());
            }
        }

        if ((user.isEmpty() || password.isEmpty()) && !Terminal.isTerminal(0)) {
            throw new CliException("Error: Cannot perform an interactive login from a non TTY device", 1);
        }
        AuthConfig creds = prompt(cli, user, password, stored.username(), key);
        Login login = authenticate(cli, creds);
        storeCredentials(cli, creds, login);
        if (!login.status().isEmpty()) cli.out.println(login.status());
        return 0;
    }

    /** The daemon's answer to {@code POST /auth}. */
    private record Login(String status, String identityToken) {}

    /** POST /auth: the daemon checks the credentials against the registry. */
    private static Login authenticate(Cli cli, AuthConfig creds) throws IOException {
        Object r = cli.client().json("POST", "/auth", creds.toJson());
        return new Login(Json.str(r, "Status"), Json.str(r, "IdentityToken"));
    }

    /** Stores what worked; an identity token from the registry is kept instead of the password, as docker does. */
    private static void storeCredentials(Cli cli, AuthConfig creds, Login login) throws CliException {
        AuthConfig toStore = login.identityToken().isEmpty() ? creds
                : new AuthConfig(creds.username(), "", creds.email(), creds.serverAddress(), login.identityToken());
        try {
            boolean changed = cli.config().store(toStore);
            if (changed && !toStore.password().isEmpty()) {
                cli.err.println("\nWARNING! Your credentials are stored unencrypted in '" + cli.config().path() + "'.\n"
                        + "Berth does not run credential helpers; the file is readable by its owner only (0600).\n");
            }
        } catch (IOException e) {
            throw new CliException("Error saving credentials: " + e.getMessage(), 1);
        }
    }

    /** docker's PromptUserForCredentials: username (with the stored one as default), then the password without echo. */
    private static AuthConfig prompt(Cli cli, String user, String password, String defaultUser, String key) throws IOException, CliException {
        user = user.strip();
        if (user.isEmpty()) {
            if (key.equals(ConfigFile.INDEX_SERVER)) {
                cli.out.println("Log in with your Docker ID or email address to push and pull images from Docker Hub. "
                        + "If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.");
            }
            defaultUser = defaultUser.strip();
            cli.out.print(defaultUser.isEmpty() ? "Username: " : "Username (" + defaultUser + "): ");
            cli.out.flush();
            user = readLine(cli.in).strip();
            if (user.isEmpty()) user = defaultUser;
            if (user.isEmpty()) throw new CliException("Error: Non-null Username Required", 1);
        }
        password = password.strip();
        if (password.isEmpty()) {
            Terminal t = new Terminal();
            t.disableEcho();
            try {
                cli.out.print("Password: ");
                cli.out.flush();
                password = readLine(cli.in).strip();
                cli.out.println();
            } finally {
                t.restore();
            }
            if (password.isEmpty()) throw new CliException("Error: Password Required", 1);
        }
        return AuthConfig.of(user, password, key);
    }

    /** One line of input (without its end), read byte by byte so nothing after it is consumed. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') b.write(c);
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * {@code berth logout [SERVER]}: removes the entry under the server as given and under its
     * host name (also as http:// and https:// URLs, older docker spellings). Like docker 28 it
     * prints "Removing login credentials for HOST" whether or not anything was stored.
     */
    public static int logout(Cli cli, ParsedArgs a) throws CliException {
        String server = a.positionals().isEmpty() ? "" : a.positionals().get(0);
        boolean hub = server.isEmpty();
        if (hub) server = ConfigFile.INDEX_SERVER;
        List<String> keys = new ArrayList<>(List.of(server));
        String host = server;
        if (!hub) {
            host = ConfigFile.convertToHostname(server);
            keys.addAll(List.of(host, "http://" + host, "https://" + host));
        }
        ConfigFile cfg = cli.config();
        if (cfg.loadError() != null) throw new CliException("Error: cannot read " + cfg.loadError() + "; fix or remove the file first", 1);
        String helper = cfg.helperMessage(host);
        if (helper != null) throw new CliException("Error: " + helper + ": remove the credentials with that helper", 1);
        cli.out.println("Removing login credentials for " + host);
        List<String> errors = new ArrayList<>();
        for (String k : keys) {
            try {
                cfg.erase(k);
            } catch (IOException e) {
                errors.add(k + ": " + e.getMessage());
            }
        }
        if (errors.size() == keys.size()) {
            cli.err.println("WARNING: could not erase credentials:");
            for (String e : errors) cli.err.println(e);
        }
        return 0;
    }
}
