package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker login + pull from a registry behind htpasswd Basic auth; credentials travel in X-Registry-Auth. */
class AuthPullIT {
    @Test
    void loginThenPullPrivateImage() throws Exception {
        assumeTrue(Fixtures.root(), "integration tests need root");
        assumeTrue(LocalRegistry.available(), "docker-registry, skopeo and htpasswd are installed by bin/install-deps --test");
        try (LocalRegistry reg = new LocalRegistry("alice", "s3cret"); BerthDaemon d = new BerthDaemon()) {
            d.start();
            java.nio.file.Path layout = d.dir.resolve("oci");
            LocalRegistry.ociLayout(layout, Fixtures.busyboxTar(), "latest", null);
            reg.push(layout, "latest", "private/bb:1", "--dest-creds", "alice:s3cret");
            Map<String, String> env = Map.of("DOCKER_HOST", d.host(), "DOCKER_CONFIG", d.dir.resolve("docker-config").toString());
            String image = reg.host() + "/private/bb:1";

            Cmd.Result anonymous = Cmd.run(env, null, "/usr/local/bin/docker", "pull", image);
            assertEquals(1, anonymous.code(), anonymous::toString);
            assertTrue(anonymous.err().contains("may require 'docker login'"), anonymous::toString);

            Cmd.Result wrong = Cmd.run(env, null, "/usr/local/bin/docker", "login", "-u", "alice", "-p", "wrong", reg.host());
            assertNotEquals(0, wrong.code());
            assertTrue(wrong.err().contains("failed with status: 401 Unauthorized"), wrong::toString);

            Cmd.Result login = Cmd.run(env, "s3cret", "/usr/local/bin/docker", "login", "-u", "alice", "--password-stdin", reg.host());
            assertEquals(0, login.code(), login::toString);
            assertTrue(login.out().contains("Login Succeeded"), login::toString);

            ok(Cmd.run(env, null, "/usr/local/bin/docker", "pull", image));
            assertEquals("private\n", ok(Cmd.run(env, null, "/usr/local/bin/docker", "run", "--rm", image, "echo", "private")).out());
        }
    }
}
