package dev.berth.daemon.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.berth.daemon.container.ContainerRecord;
import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.container.ContainerStreams;
import dev.berth.daemon.container.ContainerViews;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.util.Filters;
import dev.berth.daemon.util.Json;
import dev.berth.daemon.util.Times;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** /containers endpoints: parse the request, call the service, write Docker's answer. */
public final class ContainerRoutes {
    private final ContainerService service;
    private final ContainerViews views;
    private final ContainerStreams streams;

    public ContainerRoutes(ContainerService service, ContainerViews views, ContainerStreams streams) {
        this.service = service;
        this.views = views;
        this.streams = streams;
    }

    public void register(Router r) {
        r.post("/containers/create", this::create);
        r.post("/containers/prune", (req, res) -> res.json(200, service.prune(Filters.parse(req.query("filters")))));
        r.get("/containers/json", (req, res) -> res.json(200, views.list(req.queryBool("all"), req.queryInt("limit"),
                req.queryBool("size"), Filters.parse(req.query("filters")))));
        r.get("/containers/{id}/json", (req, res) -> res.json(200, views.inspect(service.resolve(req.pathParam("id")), req.queryBool("size"))));
        r.post("/containers/{id}/start", (req, res) -> {
            service.start(req.pathParam("id"));
            res.empty(204);
        });
        r.post("/containers/{id}/stop", (req, res) -> {
            service.stop(req.pathParam("id"), req.queryInt("t"), req.query("signal"));
            res.empty(204);
        });
        r.post("/containers/{id}/restart", (req, res) -> {
            service.restart(req.pathParam("id"), req.queryInt("t"), req.query("signal"));
            res.empty(204);
        });
        r.post("/containers/{id}/kill", (req, res) -> {
            service.kill(req.pathParam("id"), req.query("signal"));
            res.empty(204);
        });
        r.post("/containers/{id}/wait", this::await);
        r.delete("/containers/{id}", (req, res) -> {
            service.remove(req.pathParam("id"), req.queryBool("force"), req.queryBool("v"));
            res.empty(204);
        });
        r.post("/containers/{id}/rename", (req, res) -> {
            service.rename(req.pathParam("id"), req.query("name"));
            res.empty(204);
        });
        r.post("/containers/{id}/resize", (req, res) -> {
            Integer h = req.queryInt("h");
            Integer w = req.queryInt("w");
            service.resize(req.pathParam("id"), h == null ? 0 : h, w == null ? 0 : w);
            res.empty(200);
        });
        r.get("/containers/{id}/logs", this::logs);
        r.post("/containers/{id}/attach", this::attach);
    }

    private void create(Request req, Response res) throws IOException {
        JsonNode body = req.jsonBody();
        String platform = req.query("platform");
        if (platform != null && !platform.isEmpty() && !platform.startsWith("linux")) {
            throw BerthException.invalid("operating system is not supported: " + platform);
        }
        ContainerRecord r = service.create(body, req.query("name"));
        res.json(201, Map.of("Id", r.id, "Warnings", List.of()));
    }

    private void await(Request req, Response res) throws IOException, InterruptedException {
        ContainerRecord r = service.resolve(req.pathParam("id"));
        String condition = req.query("condition");
        ContainerService.checkCondition(condition);
        // Headers go out at once: the docker CLI waits for them before it starts the container.
        try (OutputStream out = res.stream(200, "application/json")) {
            int code = service.await(r, condition);
            out.write(Json.line(ContainerStreams.waitResponse(code)));
        }
    }

    private void logs(Request req, Response res) throws IOException, InterruptedException {
        ContainerRecord r = service.resolve(req.pathParam("id"));
        boolean stdout = req.queryBool("stdout");
        boolean stderr = req.queryBool("stderr");
        if (!stdout && !stderr) throw BerthException.invalid("Bad parameters: you must choose at least one stream");
        Instant now = Instant.now();
        String tail = req.query("tail", "all");
        Integer tailN;
        if (tail.equals("all") || tail.isEmpty()) tailN = null;
        else {
            try {
                tailN = Integer.parseInt(tail);
            } catch (NumberFormatException e) {
                tailN = null;
            }
        }
        var o = new ContainerStreams.LogOptions(stdout, stderr, req.queryBool("timestamps"), tailN,
                Times.parseQueryTime(req.query("since"), now), Times.parseQueryTime(req.query("until"), now), req.queryBool("follow"));
        String type = r.tty() ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        try (OutputStream out = res.stream(200, type)) {
            streams.logs(r, o, out);
        }
    }

    private void attach(Request req, Response res) throws IOException, InterruptedException {
        ContainerRecord r = service.resolve(req.pathParam("id"));
        var o = new ContainerStreams.AttachOptions(req.queryBool("stream"), req.queryBool("stdin"),
                req.queryBool("stdout"), req.queryBool("stderr"), req.queryBool("logs"));
        String type = r.tty() ? "application/vnd.docker.raw-stream" : "application/vnd.docker.multiplexed-stream";
        Response.Hijacked h = res.hijack(req, type);
        streams.attach(r, o, h.in(), h.out());
    }
}
