package dev.berth.daemon.server;

import dev.berth.daemon.container.ContainerService;
import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.net.NetworkService;
import dev.berth.daemon.util.Filters;
import java.util.Map;

/** /networks endpoints: thin handlers over {@link NetworkService}. */
public final class NetworkRoutes {
    private final NetworkService networks;
    private final ContainerService containers;

    public NetworkRoutes(NetworkService networks, ContainerService containers) {
        this.networks = networks;
        this.containers = containers;
    }

    public void register(Router r) {
        r.get("/networks", (req, res) -> res.json(200, networks.list(Filters.parse(req.query("filters")))));
        r.post("/networks/create", (req, res) -> {
            var n = networks.create(req.jsonBody());
            res.json(201, Map.of("Id", n.id(), "Warning", ""));
        });
        r.post("/networks/prune", (req, res) -> res.json(200, networks.prune(Filters.parse(req.query("filters")))));
        r.get("/networks/{id}", (req, res) -> res.json(200, networks.view(networks.resolve(req.pathParam("id")), true)));
        r.delete("/networks/{id}", (req, res) -> {
            networks.remove(req.pathParam("id"));
            res.empty(204);
        });
        r.post("/networks/{id}/connect", (req, res) -> {
            var n = networks.resolve(req.pathParam("id"));
            var body = req.jsonBody();
            String container = body.path("Container").asText("");
            if (container.isEmpty()) throw BerthException.invalid("no container specified");
            containers.connect(container, n.name(), body.get("EndpointConfig"));
            res.empty(200);
        });
        r.post("/networks/{id}/disconnect", (req, res) -> {
            var n = networks.resolve(req.pathParam("id"));
            var body = req.jsonBody();
            String container = body.path("Container").asText("");
            if (container.isEmpty()) throw BerthException.invalid("no container specified");
            containers.disconnect(container, n.name(), body.path("Force").asBoolean(false));
            res.empty(200);
        });
    }
}
