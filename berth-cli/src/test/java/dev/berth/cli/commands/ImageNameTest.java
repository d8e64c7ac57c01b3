package dev.berth.cli.commands;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ImageNameTest {
    @Test
    void normalisesLikeDocker() {
        ImageName b = ImageName.parse("busybox");
        assertEquals("docker.io", b.domain());
        assertEquals("docker.io/library/busybox", b.name());
        assertEquals("busybox", b.familiarName());
        assertTrue(b.nameOnly());
        assertEquals("docker.io/library/busybox:latest", b.withDefaultTag().toString());

        ImageName u = ImageName.parse("user/app:1.0");
        assertEquals("docker.io/user/app", u.name());
        assertEquals("user/app", u.familiarName());
        assertEquals("1.0", u.tag());

        ImageName r = ImageName.parse("127.0.0.1:5000/private/bb:1");
        assertEquals("127.0.0.1:5000", r.domain());
        assertEquals("private/bb", r.path());
        assertEquals("127.0.0.1:5000/private/bb", r.familiarName());

        assertEquals("localhost", ImageName.parse("localhost/app").domain());
        assertEquals("docker.io", ImageName.parse("index.docker.io/library/busybox").domain());
        assertEquals("busybox", ImageName.parse("index.docker.io/library/busybox").familiarName());
        assertEquals("Upper", ImageName.parse("Upper/x").domain()); // upper case: a host, as in docker
        assertEquals("library/x/y", ImageName.parse("docker.io/library/x/y").familiarName());

        ImageName d = ImageName.parse("reg:5000/app@sha256:" + "a".repeat(64));
        assertEquals("sha256:" + "a".repeat(64), d.digest());
        assertEquals("", d.tag());
        assertFalse(d.nameOnly());
    }

    @Test
    void refusesWhatDockerRefuses() {
        assertEquals("invalid reference format: repository name (library/BusyBox) must be lowercase",
                assertThrows(IllegalArgumentException.class, () -> ImageName.parse("BusyBox")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse("a:b:c"));
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse("app:-bad"));
    }
}
