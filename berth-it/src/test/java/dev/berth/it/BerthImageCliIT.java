package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The berth CLI's registry and image-management commands against a real berthd and an
 * htpasswd-protected registry on 127.0.0.1, side by side with the docker CLI on the same
 * daemon: login/logout and the config.json they write, a private pull after login (plain
 * and run's implicit pull), push, history, prune, images. Never Docker Hub: every login
 * names the local registry, and the daemon runs with --registry-loopback-only.
 */
class BerthImageCliIT {
    static final String USER = "alice";
    static final String PASSWORD = "s3cret";
    static BerthDaemon d;
    static LocalRegistry reg;
    static String privateImage;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry, skopeo and htpasswd are installed by bin/install-deps --test");
        reg = new LocalRegistry(USER, PASSWORD);
        d = new BerthDaemon().start();
        d.importBusybox();
        Path layout = d.dir.resolve("oci");
        LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
        reg.push(layout, "latest", "private/bb:1", "--dest-creds", USER + ":" + PASSWORD);
        privateImage = reg.host() + "/private/bb:1";
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
        if (reg != null) reg.close();
    }

    /** A fresh config directory per test and CLI, so that docker's and berth's files can be compared. */
    private static Path configDir(String name) { return d.dir.resolve("config-" + name); }

    private static Cmd.Result berth(Path config, String stdin, String... args) throws Exception {
        return Cmd.run(Map.of("BERTH_HOST", d.host(), "DOCKER_CONFIG", config.toString()), stdin,
                BerthDaemon.prepend(BerthDaemon.HOME.resolve("bin/berth").toString(), args));
    }

    private static Cmd.Result docker(Path config, String stdin, String... args) throws Exception {
        return Cmd.run(Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", config.toString()), stdin,
                BerthDaemon.prepend("/usr/local/bin/docker", args));
    }

    private static void login(Path config) throws Exception {
        Cmd.Result r = ok(berth(config, PASSWORD, "login", "-u", USER, "--password-stdin", reg.host()));
        assertEquals("Login Succeeded\n", r.out(), r::toString);
    }

    /**
     * Asserts berth prints what docker prints. "N seconds ago" may tick between the two runs:
     * after a few exact tries, relative times (and the column padding they shift) are ignored.
     */
    private static void sameAsDocker(String... args) throws Exception {
        Path cfg = configDir("compare");
        Cmd.Result b = null, k = null;
        for (int i = 0; i < 3; i++) {
            k = docker(cfg, null, args);
            b = berth(cfg, null, args);
            if (k.equals(b)) return;
            Thread.sleep(200);
        }
        assertEquals(withoutAgo(k.toString()), withoutAgo(b.toString()), "berth " + String.join(" ", args));
    }

    private static String withoutAgo(String s) {
        return s.replaceAll("(\\d+|About an?|Less than a) \\w+ ago", "<ago>").replaceAll(" +", " ");
    }

    @Test
    void loginAndLogoutWriteWhatDockerWrites() throws Exception {
        Path bc = configDir("login-berth"), dc = configDir("login-docker");

        Cmd.Result bad = berth(bc, null, "login", "-u", USER, "-p", "wrong", reg.host());
        Cmd.Result badDocker = docker(dc, null, "login", "-u", USER, "-p", "wrong", reg.host());
        assertEquals(1, bad.code(), bad::toString);
        assertTrue(bad.err().contains("failed with status: 401 Unauthorized"), bad::toString);
        assertEquals(badDocker.err(), bad.err());
        assertFalse(Files.exists(bc.resolve("config.json")), "a failed login stores nothing");

        login(bc);
        ok(docker(dc, PASSWORD, "login", "-u", USER, "--password-stdin", reg.host()));
        Path file = bc.resolve("config.json");
        assertEquals(Files.readString(dc.resolve("config.json")), Files.readString(file), "byte for byte docker's config.json");
        assertTrue(Files.readString(file).contains("\"" + reg.host() + "\": {\n\t\t\t\"auth\": \"YWxpY2U6czNjcmV0\"\n"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        // no user or password: the stored credentials are checked again
        Cmd.Result again = ok(berth(bc, null, "login", reg.host()));
        assertEquals("Login Succeeded\n", again.out());
        assertTrue(again.err().startsWith("Authenticating with existing credentials... [Username: alice]\n"), again::toString);
        // docker reads what berth wrote
        assertEquals("Login Succeeded\n", ok(docker(bc, null, "login", reg.host())).out());

        Cmd.Result out = ok(berth(bc, null, "logout", reg.host()));
        Cmd.Result outDocker = ok(docker(dc, null, "logout", reg.host()));
        assertEquals("Removing login credentials for " + reg.host() + "\n", out.out());
        assertEquals(outDocker.out(), out.out());
        assertEquals(Files.readString(dc.resolve("config.json")), Files.readString(file));
        // a URL names the same registry; logging out twice is not an error (docker 28 prints the same line)
        String url = "http://" + reg.host() + "/";
        assertEquals(docker(dc, null, "logout", url).toString(), berth(bc, null, "logout", url).toString());

        Cmd.Result noTty = berth(bc, null, "login", reg.host());
        assertEquals(1, noTty.code());
        assertEquals("Error: Cannot perform an interactive login from a non TTY device\n", noTty.err());
    }

    @Test
    void loginPromptsOnATerminal() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tmux")), "tmux is installed by bin/install-deps --test");
        Path bc = configDir("login-tty");
        String session = "berth-it-login";
        String cmd = "BERTH_HOST=" + d.host() + " DOCKER_CONFIG=" + bc + " " + BerthDaemon.HOME.resolve("bin/berth") + " login " + reg.host();
        try {
            assertEquals(0, Cmd.run(Map.of(), null, "tmux", "-L", session, "new-session", "-d", "-s", "t", "-x", "120", "-y", "20",
                    "bash -c '" + cmd + "; echo EXIT=$?; sleep 60'").code());
            screenAfter(session, "Username:"); // capture-pane drops trailing blanks
            Cmd.run(Map.of(), null, "tmux", "-L", session, "send-keys", "-t", "t", USER, "Enter");
            screenAfter(session, "Password:");
            Cmd.run(Map.of(), null, "tmux", "-L", session, "send-keys", "-t", "t", PASSWORD, "Enter");
            String screen = screenAfter(session, "EXIT=");
            assertTrue(screen.contains("Login Succeeded") && screen.contains("EXIT=0"), screen);
            assertFalse(screen.contains(PASSWORD), "the password is not echoed:\n" + screen);
        } finally {
            Cmd.run(Map.of(), null, "tmux", "-L", session, "kill-server");
        }
        assertTrue(Files.readString(bc.resolve("config.json")).contains("YWxpY2U6czNjcmV0"));
    }

    private static String screenAfter(String session, String expected) throws Exception {
        String screen = "";
        for (int i = 0; i < 100; i++) {
            screen = Cmd.run(Map.of(), null, "tmux", "-L", session, "capture-pane", "-t", "t", "-p").out();
            if (screen.contains(expected)) return screen;
            Thread.sleep(100);
        }
        fail("screen never showed '" + expected + "':\n" + screen);
        return screen;
    }

    @Test
    void privatePullNeedsTheStoredLogin() throws Exception {
        Path bc = configDir("pull-berth");
        Cmd.Result anonymous = berth(bc, null, "pull", privateImage);
        assertEquals(1, anonymous.code(), anonymous::toString);
        assertTrue(anonymous.err().contains("may require 'docker login'"), anonymous::toString);

        login(bc);
        Cmd.Result pulled = ok(berth(bc, null, "pull", privateImage));
        assertTrue(pulled.out().startsWith("1: Pulling from private/bb\n"), pulled::toString);
        assertTrue(pulled.out().endsWith("\n" + privateImage + "\n"), pulled::toString);
        ok(berth(bc, null, "rmi", privateImage));
        // the docker CLI, with the config berth wrote, draws the same
        Cmd.Result dockerPull = ok(docker(bc, null, "pull", privateImage));
        assertEquals(dockerPull.out(), pulled.out());
        ok(berth(bc, null, "rmi", privateImage));

        // run's implicit pull sends the credentials too
        Cmd.Result run = ok(berth(bc, null, "run", "--rm", privateImage, "echo", "private"));
        assertEquals("private\n", run.out());
        assertTrue(run.err().startsWith("Unable to find image '" + privateImage + "' locally\n"), run::toString);
        ok(berth(bc, null, "rmi", privateImage));
    }

    @Test
    void pushThenPullBack() throws Exception {
        Path bc = configDir("push-berth");
        login(bc);
        String target = reg.host() + "/pushed/bb:1";
        ok(berth(bc, null, "tag", "busybox", target));
        try {
            pushAndPullBack(bc, target);
        } finally {
            berth(bc, null, "rmi", target);
        }
    }

    private static void pushAndPullBack(Path bc, String target) throws Exception {
        Cmd.Result push = berth(bc, null, "push", target);
        ok(push);
        assertTrue(push.out().startsWith("The push refers to repository [" + reg.host() + "/pushed/bb]\n"), push::toString);
        assertTrue(push.out().matches("(?s).*\n1: digest: sha256:[0-9a-f]{64} size: \\d+\n"), push::toString);

        Cmd.Result quiet = ok(berth(bc, null, "push", "-q", target));
        assertEquals(target + "\n", quiet.out());
        Cmd.Result again = ok(berth(bc, null, "push", target));
        assertEquals(ok(docker(bc, null, "push", target)).out(), again.out());

        ok(berth(bc, null, "rmi", target));
        ok(berth(bc, null, "pull", "-q", target));
        assertEquals("pushed\n", ok(berth(bc, null, "run", "--rm", target, "echo", "pushed")).out());
    }

    @Test
    void historyAndImagesMatchDocker() throws Exception {
        Path bc = configDir("history");
        login(bc);
        ok(berth(bc, null, "pull", "-q", privateImage)); // has a config history and a RepoDigest
        try {
            for (String image : new String[] {"busybox", privateImage}) {
                sameAsDocker("history", image);
                sameAsDocker("image", "history", "--no-trunc", image);
                sameAsDocker("history", "-H=false", image);
                sameAsDocker("history", "--human=false", "-q", image);
                sameAsDocker("history", "--format", "json", image);
                sameAsDocker("history", "--format", "table {{.ID}}\t{{.Size}}\t{{.CreatedBy}}", image);
            }
            sameAsDocker("history", "nosuchimage");
            for (String[] args : new String[][] {{"images"}, {"images", "-a"}, {"images", "-q"}, {"images", "--digests"},
                    {"images", "--no-trunc"}, {"images", "--filter", "reference=busybox"}, {"image", "ls", "--format", "json"},
                    {"images", "--format", "{{.Repository}}:{{.Tag}} {{.Digest}}"}, {"image", "list", "--digests", "--format", "table {{.ID}}"},
                    {"images", "-q", "--no-trunc", "busybox"}}) {
                sameAsDocker(args);
            }
        } finally {
            ok(berth(bc, null, "rmi", privateImage));
        }
    }

    @Test
    void pruneMatchesDocker() throws Exception {
        Path cfg = configDir("prune");
        // nothing dangling: the prompt, a "no", then a forced prune with nothing to do
        sameAsDocker("image", "prune", "-f");
        assertEquals(docker(cfg, "n\n", "image", "prune").toString(), berth(cfg, "n\n", "image", "prune").toString());

        // one dangling image each, removed after a "y"
        String[] outputs = new String[2];
        for (int i = 0; i < 2; i++) {
            String id = ok(d.docker("import", Fixtures.busyboxTar().toString())).out().strip();
            Cmd.Result r = i == 0 ? berth(cfg, "y\n", "image", "prune") : docker(cfg, "y\n", "image", "prune");
            ok(r);
            assertTrue(r.out().contains("Deleted Images:\ndeleted: " + id + "\n\nTotal reclaimed space: "), r::toString);
            outputs[i] = r.out().replace(id, "ID");
            assertFalse(d.docker("images", "-q", "--no-trunc").out().contains(id));
        }
        assertEquals(outputs[1], outputs[0]);
        assertTrue(outputs[0].startsWith("WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] "), outputs[0]);
    }
}
