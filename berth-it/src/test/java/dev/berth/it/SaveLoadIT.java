package dev.berth.it;

import static dev.berth.it.Cmd.ok;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * docker save / docker load: round trips with the real docker CLI and the berth CLI, archives
 * made by skopeo (OCI archive, OCI layout dir, docker-archive with legacy layer dirs),
 * docker-java, and
 * hostile archives that must be refused with nothing left in the data root.
 */
class SaveLoadIT extends BusyboxDaemonTest {
    private static final String DOCKER = "/usr/local/bin/docker";

    /** A busybox rootfs plus /marker: a layer no other test image has, so a load must unpack it. */
    private static Path rootfs(String marker) throws Exception {
        Path dir = Files.createDirectories(d.dir.resolve("rootfs-" + marker));
        Files.writeString(dir.resolve("marker"), marker + "\n");
        Path tar = d.dir.resolve(marker + ".tar");
        Files.copy(Fixtures.busyboxTar(), tar);
        ok(Cmd.run(Map.of(), null, "tar", "-rf", tar.toString(), "-C", dir.toString(), "marker"));
        return tar;
    }

    private static String importImage(String marker, String ref) throws Exception {
        return ok(d.docker("import", rootfs(marker).toString(), ref)).out().strip();
    }

    private static String inspect(String format, String image) throws Exception {
        return ok(d.docker("image", "inspect", "-f", format, image)).out().strip();
    }

    private static Cmd.Result sh(String script) throws Exception {
        return Cmd.run(Map.of("DOCKER_HOST", d.host(), "BERTH_HOST", d.host()), null, "sh", "-c", script);
    }

    private static Map<String, byte[]> entries(Path tar) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) out.put(e.getName(), in.readAllBytes());
        }
        return out;
    }

    /** Everything the stores hold: a refused load must not change it. */
    private static TreeSet<String> stored() throws IOException {
        TreeSet<String> out = new TreeSet<>();
        for (String dir : List.of("blobs/sha256", "layers/sha256", "layers/tmp", "ingest", "images/meta")) {
            try (var s = Files.list(d.dataRoot.resolve(dir))) {
                s.forEach(p -> out.add(dir + "/" + p.getFileName()));
            }
        }
        out.add("refs " + Files.readString(d.dataRoot.resolve("images/repositories.json")));
        return out;
    }

    @Test
    void dockerSaveRemoveLoadGivesTheSameImageBack() throws Exception {
        String id = importImage("round", "sl/round:1");
        ok(d.docker("tag", "sl/round:1", "sl/round:2"));
        String layer = inspect("{{index .RootFS.Layers 0}}", "sl/round:1");
        Path archive = d.dir.resolve("round.tar");
        ok(d.docker("save", "-o", archive.toString(), "sl/round"));

        Map<String, byte[]> e = entries(archive);
        assertTrue(e.keySet().containsAll(List.of("blobs/sha256/" + id.substring(7), "blobs/sha256/" + layer.substring(7),
                "index.json", "manifest.json", "oci-layout", "repositories")), e.keySet()::toString);
        String manifest = new String(e.get("manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.startsWith("[{\"Config\":\"blobs/sha256/" + id.substring(7) + "\",\"RepoTags\":[\"sl/round:1\",\"sl/round:2\"]"), manifest);
        assertTrue(new String(e.get("index.json"), StandardCharsets.UTF_8).contains("\"io.containerd.image.name\":\"docker.io/sl/round:1\""));

        ok(d.docker("rmi", "sl/round:1", "sl/round:2"));
        assertFalse(Files.exists(d.dataRoot.resolve("layers/sha256").resolve(layer.substring(7))), "the layer went with the image");
        Cmd.Result load = ok(d.docker("load", "-i", archive.toString()));
        assertEquals("Loaded image: sl/round:1\nLoaded image: sl/round:2\n", load.out());
        assertEquals(id, inspect("{{.Id}}", "sl/round:2"));
        assertEquals("[sl/round:1 sl/round:2]", inspect("{{.RepoTags}}", id));
        assertEquals("round\n", ok(d.docker("run", "--rm", "sl/round:1", "cat", "/marker")).out());

        // The CLI sends whole seconds: an until in the next second covers the load that just happened.
        String until = Long.toString(java.time.Instant.now().getEpochSecond() + 1);
        String events = ok(d.docker("events", "--since", "0", "--until", until, "--filter", "image=" + id, "--format", "{{.Action}}")).out();
        assertTrue(events.contains("save\n") && events.contains("load\n"), events);

        // The same archive read by other tools, as both of its formats.
        if (Files.isExecutable(Path.of("/usr/bin/skopeo"))) {
            ok(Cmd.run(Map.of(), null, "skopeo", "inspect", "docker-archive:" + archive + ":sl/round:2"));
            Path copy = d.dir.resolve("round-oci");
            ok(Cmd.run(Map.of(), null, "skopeo", "copy", "oci-archive:" + archive + ":1", "oci:" + copy + ":copied"));
        }
        ok(d.docker("rmi", "sl/round:1", "sl/round:2"));
    }

    @Test
    void severalImagesThroughStdoutAndStdin() throws Exception {
        String a = importImage("multi-a", "sl/a:1");
        String b = importImage("multi-b", "sl/b:1");
        Path archive = d.dir.resolve("multi.tar");
        Cmd.Result save = sh(DOCKER + " save sl/a:1 sl/b:1 " + b + " > " + archive);
        assertEquals(0, save.code(), save::toString);
        String manifest = new String(entries(archive).get("manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"RepoTags\":[\"sl/a:1\"]") && manifest.contains("\"RepoTags\":[\"sl/b:1\"]"), manifest);
        ok(d.docker("rmi", "sl/a:1", "sl/b:1"));
        Cmd.Result load = sh(DOCKER + " load < " + archive);
        assertEquals(0, load.code(), load::toString);
        assertEquals("Loaded image: sl/a:1\nLoaded image: sl/b:1\n", load.out());
        assertEquals(a, inspect("{{.Id}}", "sl/a:1"));
        assertEquals(b, inspect("{{.Id}}", "sl/b:1"));
        assertEquals("multi-b\n", ok(d.docker("run", "--rm", "sl/b:1", "cat", "/marker")).out());

        Cmd.Result gz = sh(DOCKER + " save sl/a:1 | gzip | " + DOCKER + " load");
        assertEquals(0, gz.code(), gz::toString);
        assertEquals("Loaded image: sl/a:1\n", gz.out());

        Cmd.Result missing = d.docker("save", "sl/a:1", "sl/nothing:here");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("No such image: sl/nothing:here"), missing::toString);
        ok(d.docker("rmi", "sl/a:1", "sl/b:1"));
    }

    @Test
    void loadsWhatSkopeoWrites() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/skopeo")), "skopeo is installed by bin/install-deps --test");
        Path layout = d.dir.resolve("skopeo-src");
        LocalRegistry.OciImage img = LocalRegistry.ociLayout(layout, rootfs("skopeo"), "latest", null);
        String src = "oci:" + layout + ":latest";

        Path ociArchive = d.dir.resolve("skopeo-oci.tar");
        ok(Cmd.run(Map.of(), null, "skopeo", "copy", src, "oci-archive:" + ociArchive + ":sl/oci:1"));
        assertEquals("Loaded image: sl/oci:1\n", ok(d.docker("load", "-i", ociArchive.toString())).out());
        assertEquals(img.config(), inspect("{{.Id}}", "sl/oci:1"));
        assertEquals("skopeo\n", ok(d.docker("run", "--rm", "sl/oci:1", "cat", "/marker")).out());

        Path ociDir = d.dir.resolve("skopeo-dir");
        ok(Cmd.run(Map.of(), null, "skopeo", "copy", src, "oci:" + ociDir + ":sl/ocidir:2"));
        Path dirTar = d.dir.resolve("skopeo-dir.tar");
        ok(Cmd.run(Map.of(), null, "tar", "-C", ociDir.toString(), "-cf", dirTar.toString(), "."));
        assertEquals("Loaded image: sl/ocidir:2\n", ok(d.docker("load", "-i", dirTar.toString())).out());

        Path dockerArchive = d.dir.resolve("skopeo-docker.tar");
        ok(Cmd.run(Map.of(), null, "skopeo", "copy", src, "docker-archive:" + dockerArchive + ":sl/legacy:3"));
        assertTrue(entries(dockerArchive).keySet().stream().anyMatch(n -> n.endsWith("/layer.tar")), "legacy layer dirs");
        ok(d.docker("rmi", "sl/oci:1", "sl/ocidir:2"));
        assertEquals("Loaded image: sl/legacy:3\n", ok(d.docker("load", "-i", dockerArchive.toString())).out());
        assertEquals(img.config(), inspect("{{.Id}}", "sl/legacy:3"));
        assertEquals("skopeo\n", ok(d.docker("run", "--rm", "sl/legacy:3", "cat", "/marker")).out());

        // A bare OCI ref.name ("latest") names no repository: the image loads untagged.
        Path bare = d.dir.resolve("skopeo-bare.tar");
        ok(Cmd.run(Map.of(), null, "tar", "-C", layout.toString(), "-cf", bare.toString(), "."));
        assertEquals("Loaded image ID: " + img.config() + "\n", ok(d.docker("load", "-i", bare.toString())).out());
        ok(d.docker("rmi", "sl/legacy:3"));
    }

    @Test
    void berthCliSavesAndLoads() throws Exception {
        String id = importImage("cli", "sl/cli:1");
        Path file = d.dir.resolve("cli.tar");
        ok(d.berth("save", "-o", file.toString(), "sl/cli:1"));
        ok(d.berth("rmi", "sl/cli:1"));
        assertEquals("Loaded image: sl/cli:1\n", ok(d.berth("load", "-i", file.toString())).out());
        assertEquals(id, inspect("{{.Id}}", "sl/cli:1"));

        Path piped = d.dir.resolve("cli-piped.tar");
        Cmd.Result save = sh(BerthDaemon.HOME.resolve("bin/berth") + " image save sl/cli:1 > " + piped);
        assertEquals(0, save.code(), save::toString);
        ok(d.berth("rmi", "sl/cli:1"));
        Cmd.Result load = sh(BerthDaemon.HOME.resolve("bin/berth") + " image load -q < " + piped);
        assertEquals(0, load.code(), load::toString);
        assertEquals("Loaded image: sl/cli:1\n", load.out());
        assertEquals("cli\n", ok(d.berth("run", "--rm", "sl/cli:1", "cat", "/marker")).out());

        Cmd.Result badPath = d.berth("save", "-o", "/nonexistent/dir/x.tar", "sl/cli:1");
        assertEquals(1, badPath.code());
        assertEquals("failed to save image: invalid output path: stat /nonexistent/dir: no such file or directory\n", badPath.err());
        Cmd.Result noFile = d.berth("load", "-i", d.dir.resolve("nope.tar").toString());
        assertEquals(1, noFile.code());
        assertEquals("open " + d.dir.resolve("nope.tar") + ": no such file or directory\n", noFile.err());
        if (Files.isExecutable(Path.of("/usr/bin/script"))) {
            Cmd.Result tty = sh("script -qec '" + BerthDaemon.HOME.resolve("bin/berth") + " save sl/cli:1' /dev/null");
            assertEquals(1, tty.code(), tty::toString);
            assertTrue(tty.out().contains("cowardly refusing to save to a terminal. Use the -o flag or redirect"), tty::toString);
        }
        ok(d.berth("rmi", "sl/cli:1"));
    }

    @Test
    void dockerJavaSavesAndLoads() throws Exception {
        String id = importImage("java", "sl/java:1");
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(d.host()).build();
        var http = new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(d.host())).build();
        try (DockerClient client = DockerClientImpl.getInstance(config, http)) {
            byte[] tar;
            try (InputStream in = client.saveImageCmd("sl/java").withTag("1").exec()) {
                tar = in.readAllBytes();
            }
            client.removeImageCmd("sl/java:1").exec();
            client.loadImageCmd(new ByteArrayInputStream(tar)).exec();
            assertEquals(id, client.inspectImageCmd("sl/java:1").exec().getId());
            client.removeImageCmd("sl/java:1").exec();
        }
    }

    @Test
    void hostileArchivesAreRefusedAndLeaveNothingBehind() throws Exception {
        importImage("hostile", "sl/hostile:1");
        String layer = inspect("{{index .RootFS.Layers 0}}", "sl/hostile:1").substring(7);
        Path good = d.dir.resolve("hostile-good.tar");
        ok(d.docker("save", "-o", good.toString(), "sl/hostile:1"));
        ok(d.docker("rmi", "sl/hostile:1"));
        Map<String, byte[]> files = entries(good);
        String layerPath = "blobs/sha256/" + layer;
        byte[] layerTar = files.get(layerPath);
        byte[] flipped = layerTar.clone();
        flipped[600] ^= 0x20; // a byte of the first file's content: still a valid tar
        String flippedHex = LocalRegistry.sha(flipped).substring(7);
        TreeSet<String> before = stored();
        String imagesBefore = ok(d.docker("images", "-q", "--no-trunc")).out();

        Map<String, byte[]> lying = new LinkedHashMap<>(files);
        lying.put(layerPath, flipped);
        refused(lying, null, "invalid archive: " + layerPath + ": unexpected digest sha256:" + flippedHex + ", expected sha256:" + layer);

        Map<String, byte[]> otherLayer = new LinkedHashMap<>(files);
        otherLayer.remove(layerPath);
        otherLayer.put("blobs/sha256/" + flippedHex, flipped);
        otherLayer.put("manifest.json", replace(files.get("manifest.json"), layerPath, "blobs/sha256/" + flippedHex));
        refused(otherLayer, null, "invalid diffID for layer 0: expected \"sha256:" + layer + "\", got \"sha256:" + flippedHex + "\"");

        Map<String, byte[]> missing = new LinkedHashMap<>(files);
        missing.remove(layerPath);
        refused(missing, null, "invalid archive: " + layerPath + " named in manifest.json is missing");

        Map<String, byte[]> malformed = new LinkedHashMap<>(files);
        malformed.put("manifest.json", "[{\"Config\":\"blobs/sha256/".getBytes());
        refused(malformed, null, "invalid archive: failed to decode manifest.json: ");

        refused(files, "../evil", "invalid archive: entry \"../evil\" is outside of the archive");

        Map<String, byte[]> escapingRef = new LinkedHashMap<>(files);
        escapingRef.put("manifest.json", replace(files.get("manifest.json"), layerPath, "../../../etc/passwd"));
        refused(escapingRef, null, "invalid archive: path \"../../../etc/passwd\" is outside of the archive");

        Map<String, byte[]> symlink = new LinkedHashMap<>(files);
        symlink.remove(layerPath);
        symlink.put("manifest.json", replace(files.get("manifest.json"), layerPath, "legacy/layer.tar"));
        refused(symlink, "legacy/layer.tar", "invalid archive: invalid symlink \"legacy/layer.tar\" -> \"../../etc/passwd\"");

        // With a terminal the CLI asks for progress: the diffID check fails after "Loading layer"
        // went out, so the error comes in the message stream, as dockerd sends it.
        if (Files.isExecutable(Path.of("/usr/bin/script"))) {
            Path tar = write(otherLayer, null, "hostile-stream.tar");
            Cmd.Result tty = sh("script -qec '" + DOCKER + " load -i " + tar + "' /dev/null");
            assertEquals(1, tty.code(), tty::toString);
            assertTrue(tty.out().contains("Loading layer") && tty.out().contains("invalid diffID for layer 0"), tty::toString);
        }
        assertEquals(before, stored(), "nothing new in the data root");
        assertEquals(imagesBefore, ok(d.docker("images", "-q", "--no-trunc")).out());

        // The untouched archive still loads.
        assertEquals("Loaded image: sl/hostile:1\n", ok(d.docker("load", "-i", good.toString())).out());
        ok(d.docker("rmi", "sl/hostile:1"));
    }

    private static byte[] replace(byte[] json, String from, String to) {
        return new String(json, StandardCharsets.UTF_8).replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    /** Loads {@code files} (plus an escaping symlink or entry at {@code extra}) and expects a refusal. */
    private static void refused(Map<String, byte[]> files, String extra, String messageStart) throws Exception {
        Path tar = write(files, extra, "hostile.tar");
        Cmd.Result r = d.docker("load", "-i", tar.toString());
        assertEquals(1, r.code(), r::toString);
        assertTrue(r.err().startsWith("Error response from daemon: " + messageStart), r::toString);
    }

    private static Path write(Map<String, byte[]> files, String extra, String name) throws IOException {
        Path tar = d.dir.resolve(name);
        try (OutputStream os = Files.newOutputStream(tar); TarArchiveOutputStream out = new TarArchiveOutputStream(os)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            if (extra != null && extra.startsWith("..")) {
                TarArchiveEntry e = new TarArchiveEntry(extra, true);
                e.setSize(4);
                out.putArchiveEntry(e);
                new ByteArrayInputStream("evil".getBytes()).transferTo(out);
                out.closeArchiveEntry();
            } else if (extra != null) {
                TarArchiveEntry e = new TarArchiveEntry(extra, TarConstants.LF_SYMLINK, true);
                e.setLinkName("../../etc/passwd");
                out.putArchiveEntry(e);
                out.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(f.getKey(), true);
                if (f.getKey().endsWith("/")) {
                    out.putArchiveEntry(new TarArchiveEntry(f.getKey(), TarConstants.LF_DIR, true));
                } else {
                    e.setSize(f.getValue().length);
                    out.putArchiveEntry(e);
                    out.write(f.getValue());
                }
                out.closeArchiveEntry();
            }
        }
        return tar;
    }
}
