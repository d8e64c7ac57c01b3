package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docker login and pull against a registry behind token auth, like Docker Hub: Debian's
 * docker-registry (distribution 2.8) trusting JWTs from {@link TokenServer}. berthd follows the
 * Bearer challenge to the realm with the user's credentials and the challenge's scope.
 */
class TokenAuthIT {
    static TokenServer tokens;
    static LocalRegistry reg;
    static BerthDaemon d;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry and skopeo are installed by bin/install-deps --test");
        tokens = new TokenServer().user("alice", "s3cret").user("bob", "hunter2")
                .grant("alice", "private/bb", "pull", "push").grant("alice", "public/bb", "pull", "push").publicRepo("public/bb");
        reg = new LocalRegistry(tokens);
        d = new BerthDaemon().start();
        Path layout = d.dir.resolve("oci");
        LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
        reg.push(layout, "latest", "private/bb:1", "--dest-creds", "alice:s3cret");
        reg.push(layout, "latest", "public/bb:1", "--dest-creds", "alice:s3cret");
    }

    @AfterAll
    static void down() throws Exception {
        if (d != null) d.close();
        if (reg != null) reg.close();
        if (tokens != null) tokens.close();
    }

    @BeforeEach
    void forgetRequests() { tokens.clearRequests(); }

    /** The docker CLI with its own credential store (DOCKER_CONFIG) per test. */
    private static Cmd.Result docker(String config, String stdin, String... args) throws Exception {
        Map<String, String> env = Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", d.dir.resolve("docker-config-" + config).toString());
        return Cmd.run(env, stdin, BerthDaemon.prepend("/usr/local/bin/docker", args));
    }

    @Test
    void loginChecksThePasswordWithTheTokenServer() throws Exception {
        Cmd.Result wrong = docker("login", null, "login", "-u", "alice", "-p", "wrong", reg.host());
        assertNotEquals(0, wrong.code(), wrong::toString);
        assertTrue(wrong.err().contains("unauthorized: incorrect username or password"), wrong::toString);
        assertTrue(wrong.err().contains("Get \"http://" + reg.host() + "/v2/\""), wrong::toString);
        assertTrue(tokens.requests().stream().anyMatch(r -> r.status() == 401 && "alice".equals(r.account())), tokens.requests()::toString);

        tokens.clearRequests();
        Cmd.Result good = docker("login", "s3cret", "login", "-u", "alice", "--password-stdin", reg.host());
        assertEquals(0, good.code(), good::toString);
        assertTrue(good.out().contains("Login Succeeded"), good::toString);
        TokenServer.Request r = tokens.requests().getLast();
        assertEquals("alice", r.user());
        assertEquals("alice", r.account());
        assertEquals(TokenServer.SERVICE, r.service());
        assertEquals(List.of(), r.scopes(), "a login asks for a token without scope, as dockerd does");
    }

    @Test
    void privateImageNeedsALoginWithAccess() throws Exception {
        String image = reg.host() + "/private/bb:1";
        Cmd.Result anonymous = docker("private", null, "pull", image);
        assertEquals(1, anonymous.code(), anonymous::toString);
        assertTrue(anonymous.err().contains("pull access denied for private/bb"), anonymous::toString);
        assertTrue(anonymous.err().contains("may require 'docker login'"), anonymous::toString);
        assertTrue(tokens.requests().stream().anyMatch(r -> r.user() == null && r.scopes().contains("repository:private/bb:pull")),
                tokens.requests()::toString);

        ok(docker("private", "hunter2", "login", "-u", "bob", "--password-stdin", reg.host()));
        Cmd.Result bob = docker("private", null, "pull", image);
        assertEquals(1, bob.code(), bob::toString);
        assertTrue(bob.err().contains("pull access denied for private/bb"), bob::toString);

        ok(docker("private", "s3cret", "login", "-u", "alice", "--password-stdin", reg.host()));
        tokens.clearRequests();
        Cmd.Result pulled = ok(docker("private", null, "pull", image));
        assertTrue(pulled.out().contains("Pull complete"), pulled::toString);
        assertTrue(tokens.requests().stream().allMatch(r -> "alice".equals(r.user()) && "alice".equals(r.account())), tokens.requests()::toString);
        assertTrue(tokens.requests().stream().anyMatch(r -> r.scopes().equals(List.of("repository:private/bb:pull"))),
                "the daemon asks for the pull scope of the repository: " + tokens.requests());
        assertEquals("private\n", ok(docker("private", null, "run", "--rm", image, "echo", "private")).out());
        ok(docker("private", null, "rmi", image));
    }

    @Test
    void anonymousPullOfAPublicRepository() throws Exception {
        String image = reg.host() + "/public/bb:1";
        ok(docker("public", null, "pull", image));
        assertTrue(tokens.requests().stream().anyMatch(r -> r.user() == null && r.account() == null
                && r.scopes().equals(List.of("repository:public/bb:pull"))), tokens.requests()::toString);
        ok(docker("public", null, "rmi", image));
    }

    @Test
    void dockerJavaPullsWithAnAuthConfig() throws Exception {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        String repo = reg.host() + "/private/bb";
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            AuthConfig wrong = new AuthConfig().withUsername("alice").withPassword("nope").withRegistryAddress(reg.host());
            Exception denied = assertThrows(Exception.class,
                    () -> client.pullImageCmd(repo).withTag("1").withAuthConfig(wrong).start().awaitCompletion(60, TimeUnit.SECONDS));
            assertTrue(String.valueOf(denied.getMessage()).contains("incorrect username or password"), String.valueOf(denied));

            AuthConfig alice = new AuthConfig().withUsername("alice").withPassword("s3cret").withRegistryAddress(reg.host());
            assertTrue(client.pullImageCmd(repo).withTag("1").withAuthConfig(alice).start().awaitCompletion(60, TimeUnit.SECONDS));
            assertEquals("linux", client.inspectImageCmd(repo + ":1").exec().getOs());
            client.removeImageCmd(repo + ":1").exec();
        }
    }
}
