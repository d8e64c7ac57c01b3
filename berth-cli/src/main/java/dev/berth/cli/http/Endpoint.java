package dev.berth.cli.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/** Where the daemon listens: {@code unix:///path} or {@code tcp://host:port} (plain HTTP). */
public record Endpoint(String uri, String unixPath, String host, int port) {
    public static final String DEFAULT = "unix:///run/berth/berth.sock";

    /** Parses a -H / BERTH_HOST / DOCKER_HOST value; a bare absolute path means a unix socket. */
    public static Endpoint parse(String value) {
        String v = value.trim();
        if (v.startsWith("unix://")) return new Endpoint(v, v.substring("unix://".length()), null, 0);
        if (v.startsWith("/")) return new Endpoint("unix://" + v, v, null, 0);
        String rest;
        if (v.startsWith("tcp://")) rest = v.substring(6);
        else if (v.startsWith("http://")) rest = v.substring(7);
        else if (!v.contains("://")) rest = v;
        else throw new IllegalArgumentException("unsupported host: " + value + " (use unix:// or tcp://)");
        int slash = rest.indexOf('/');
        if (slash >= 0) rest = rest.substring(0, slash);
        String h = rest;
        int p = 2375;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && !rest.endsWith("]")) {
            h = rest.substring(0, colon);
            p = Integer.parseInt(rest.substring(colon + 1));
        }
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.isEmpty()) h = "127.0.0.1";
        return new Endpoint("tcp://" + rest, null, h, p);
    }

    /** Opens a blocking connection; failures surface as {@link DaemonUnreachableException}. */
    public SocketChannel connect() throws DaemonUnreachableException {
        try {
            if (unixPath != null) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(unixPath));
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                return ch;
            }
            return SocketChannel.open(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new DaemonUnreachableException(uri, e);
        }
    }

    @Override
    public String toString() { return uri; }
}
