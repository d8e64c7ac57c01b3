package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.container.ContainerChanges;
import dev.berth.daemon.container.ContainerCommit;
import dev.berth.daemon.container.ContainerFiles;
import dev.berth.daemon.container.PathStat;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * A container's files: {@code /containers/{id}/changes}, {@code /export} and {@code /archive}
 * (HEAD, GET, PUT), thin handlers over {@link ContainerFiles}, and {@code POST /commit}
 * ({@link ContainerCommit}). Streaming answers start only once
 * the service has checked everything; a failure while the tar streams drops the connection
 * before the last chunk, so a client never takes a cut-off tar for a whole one.
 */
public final class ContainerFileRoutes {
    private static final String TAR = "application/x-tar";
    private final ContainerFiles files;
    private final ContainerCommit commits;

    public ContainerFileRoutes(ContainerFiles files, ContainerCommit commits) {
        this.files = files;
        this.commits = commits;
    }

    public void register(Router r) {
        r.get("/containers/{id}/changes", this::changes);
        r.post("/commit", this::commit);
        r.get("/containers/{id}/export", (req, res) -> {
            OutputStream[] out = new OutputStream[1];
            files.export(req.pathParam("id"), stat -> out[0] = res.stream(200, TAR));
            out[0].close();
        });
        r.head("/containers/{id}/archive", (req, res) -> {
            PathStat stat = files.stat(req.pathParam("id"), path(req));
            res.header(PathStat.HEADER, stat.header());
            res.empty(200);
        });
        r.get("/containers/{id}/archive", (req, res) -> {
            OutputStream[] out = new OutputStream[1];
            files.archive(req.pathParam("id"), path(req), stat -> {
                res.header(PathStat.HEADER, stat.header());
                return out[0] = res.stream(200, TAR);
            });
            out[0].close();
        });
        r.add("PUT", "/containers/{id}/archive", (req, res) -> {
            files.extract(req.pathParam("id"), path(req), req.body(),
                    req.queryBool("noOverwriteDirNonDir"), req.queryBool("copyUIDGID"));
            res.empty(200);
        });
    }

    /** {@code POST /commit}: the body, if any, is a container config (moby ignores an empty one). */
    private void commit(Request req, Response res) throws IOException {
        JsonNode body = req.jsonBody();
        var id = commits.commit(new ContainerCommit.Options(req.query("container"), req.query("repo"), req.query("tag"),
                req.query("author"), req.query("comment"), req.queryAll("changes"), body.isObject() ? body : null));
        res.json(201, Map.of("Id", id.toString()));
    }

    /** dockerd answers {@code null} when nothing changed (a nil Go slice). */
    private void changes(Request req, Response res) throws IOException {
        List<ContainerChanges.Change> changes = files.changes(req.pathParam("id"));
        if (changes.isEmpty()) {
            res.text(200, "application/json", "null\n");
            return;
        }
        ArrayNode a = Json.arr();
        for (ContainerChanges.Change c : changes) a.addObject().put("Path", c.path()).put("Kind", c.kind());
        res.json(200, a);
    }

    private static String path(Request req) {
        String p = req.query("path");
        if (p == null || p.isEmpty()) throw BerthException.invalid("bad parameter: path cannot be empty");
        return p;
    }
}
