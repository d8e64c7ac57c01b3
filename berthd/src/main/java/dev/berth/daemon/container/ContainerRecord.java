package dev.berth.daemon.container;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.daemon.util.Times;
import java.util.List;

/**
 * A container as persisted in {@code containers/<id>/container.json}. {@code config} and
 * {@code hostConfig} keep Docker's shapes (Config, HostConfig). State changes go through
 * {@link ContainerService}, which persists the record on every transition; the record itself
 * is guarded by its own monitor.
 */
public final class ContainerRecord {
    public String id;
    public String name;              // with the leading slash, as Docker stores it
    public String created;
    public String image;             // image ID (sha256:...)
    public String path;
    public List<String> args;
    public ObjectNode config;
    public ObjectNode hostConfig;
    /**
     * The networks the container is connected to, by network name, each with the endpoint
     * settings the client asked for (Docker's EndpointSettings: IPAMConfig, Aliases, MacAddress);
     * null for host, none and container:&lt;id&gt; modes.
     */
    public ObjectNode networks;
    public State state = new State();
    public int restartCount;
    /** Set while the daemon is removing the container (memory only: removal is atomic on disk). */
    @JsonIgnore public transient boolean removalInProgress;

    public static final class State {
        public String status = "created";
        public boolean running;
        public boolean paused;
        public boolean restarting;
        public boolean oomKilled;
        public boolean dead;
        public int pid;
        public int exitCode;
        public String error = "";
        public String startedAt = Times.ZERO;
        public String finishedAt = Times.ZERO;
    }

    /** Number of completed runs; waiters for "next-exit" compare against it. */
    @JsonIgnore public transient long exits;
    @JsonIgnore public transient boolean removed;

    public String bareName() { return name.startsWith("/") ? name.substring(1) : name; }

    public boolean tty() { return config.path("Tty").asBoolean(false); }
}
