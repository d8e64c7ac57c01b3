package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Image prune and list filters (dangling, label, label!, until) through the docker CLI. */
class ImagePruneIT extends BusyboxDaemonTest {
    private String importWith(String ref, String label) throws Exception {
        return ok(d.docker("import", "--change", "LABEL " + label, Fixtures.busyboxTar().toString(), ref)).out().strip();
    }

    @Test
    void pruneHonoursDanglingLabelAndUntil() throws Exception {
        String keep = importWith("prune/keep:1", "team=a");
        String gone = importWith("prune/gone:1", "team=b");
        ok(d.docker("rmi", "prune/gone:1")); // dangling now? no: rmi of the last tag deletes it
        assertNotEquals(0, d.docker("image", "inspect", gone).code());

        // a dangling image: tag moved away by a newer import under the same name
        String old = importWith("prune/moved:1", "team=b");
        importWith("prune/moved:1", "team=b");
        assertEquals("", ok(d.docker("image", "inspect", "-f", "{{.RepoTags}}", old)).out().strip().replace("[]", ""));
        String dangling = ok(d.docker("images", "-q", "--no-trunc", "--filter", "dangling=true")).out();
        assertTrue(dangling.contains(old), dangling);

        Cmd.Result none = ok(d.docker("image", "prune", "-f", "--filter", "label=team=a"));
        assertTrue(none.out().contains("Total reclaimed space: 0B"), none::toString);
        assertEquals(0, d.docker("image", "inspect", old).code(), "label=team=a does not match the dangling image");
        Cmd.Result pruned = ok(d.docker("image", "prune", "-f", "--filter", "label!=team=a"));
        assertTrue(pruned.out().contains("deleted: " + old), pruned::toString);

        // -a removes tagged images no container uses, but not those a container uses or newer than until
        ok(d.docker("create", "--name", "user", "prune/keep:1", "true"));
        Cmd.Result notYet = ok(d.docker("image", "prune", "-a", "-f", "--filter", "until=1h"));
        assertEquals(0, d.docker("image", "inspect", "prune/moved:1").code(), notYet::toString);
        assertTrue(ok(d.docker("images", "-q", "--filter", "until=1h")).out().isBlank(), "nothing is older than an hour");
        Cmd.Result all = ok(d.docker("image", "prune", "-a", "-f", "--filter", "label=team"));
        assertTrue(all.out().contains("untagged: prune/moved:1"), all::toString);
        assertNotEquals(0, d.docker("image", "inspect", "prune/moved:1").code());
        assertEquals(keep, ok(d.docker("image", "inspect", "-f", "{{.Id}}", "prune/keep:1")).out().strip(), "used by a container");
        assertEquals(0, d.docker("image", "inspect", "busybox").code(), "label=team does not match busybox");

        Cmd.Result bad = d.docker("image", "prune", "-f", "--filter", "colour=red");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("invalid filter 'colour'"), bad::toString);
        ok(d.docker("rm", "user"));
        ok(d.docker("rmi", "prune/keep:1"));
    }
}
