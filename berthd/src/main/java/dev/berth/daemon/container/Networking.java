package dev.berth.daemon.container;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * What the container lifecycle needs from networking (implemented by
 * {@code net.Sandboxes}): a sandbox for a container on a bridge network before its runtime
 * starts, torn down when it exits, and the NetworkSettings that inspect shows.
 */
public interface Networking {
    /**
     * A running container's network: the namespace file runc joins and the contents of its
     * /etc/hosts and /etc/resolv.conf.
     */
    record Sandbox(String netnsPath, String hosts, String resolvConf) {}

    /**
     * First half of {@link #attach}: creates the container's network namespace (cheap) and
     * returns its path, so the runtime can start while {@link #attach} does the rest.
     */
    String prepare(ContainerRecord r) throws IOException;

    /**
     * Builds the sandbox of a container whose NetworkMode is a bridge network (after
     * {@link #prepare}, or doing it first): namespace,
     * endpoints on every network of {@code r.networks}, published ports, DNS. On failure nothing
     * is left.
     */
    Sandbox attach(ContainerRecord r) throws IOException;

    /** Adds an endpoint on network {@code network} to a running container's sandbox (no-op when it has none). */
    void connect(ContainerRecord r, String network, com.fasterxml.jackson.databind.JsonNode settings) throws IOException;

    /** Removes a running container's endpoint on {@code network} (no-op when it has none). */
    void disconnect(String containerId, String network) throws IOException;

    /** Tears down a container's sandbox (no-op when it has none). Never throws. */
    void detach(String containerId);

    /** Docker's NetworkSettings of the container (addresses and ports while it runs). */
    ObjectNode settings(ContainerRecord r);

    /** No networking at all: containers on bridge networks get loopback only (unit tests). */
    Networking NONE = new Networking() {
        @Override public String prepare(ContainerRecord r) { return null; }
        @Override public Sandbox attach(ContainerRecord r) { return null; }
        @Override public void detach(String containerId) {}
        @Override public void connect(ContainerRecord r, String network, com.fasterxml.jackson.databind.JsonNode settings) {}
        @Override public void disconnect(String containerId, String network) {}
        @Override public ObjectNode settings(ContainerRecord r) { return null; }
    };
}
