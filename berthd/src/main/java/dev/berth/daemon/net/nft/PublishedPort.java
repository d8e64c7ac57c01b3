package dev.berth.daemon.net.nft;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.net.Subnet;
import java.net.Inet4Address;
import java.util.Comparator;
import java.util.Locale;

/**
 * One published port ({@code -p [hostIp:]hostPort:containerPort[/proto]}); a port range is
 * one record per port.
 *
 * @param hostIp {@code 0.0.0.0} for every address of the host (loopback included), otherwise
 *               the one local address the port is published on
 */
public record PublishedPort(Protocol protocol, Inet4Address hostIp, int hostPort,
                            Inet4Address containerIp, int containerPort) {
    public enum Protocol {
        TCP, UDP;

        /** The nft keyword, also Docker's spelling. */
        public String keyword() { return name().toLowerCase(Locale.ROOT); }
    }

    /**
     * The order rules are written in: by protocol, host port, then host address. Addresses
     * compare as signed 32-bit values (128.0.0.0 and up before 0.0.0.0), the order the
     * canonical text has always had.
     */
    static final Comparator<PublishedPort> ORDER = Comparator
            .comparing(PublishedPort::protocol)
            .thenComparingInt(PublishedPort::hostPort)
            .thenComparingInt(p -> (int) Subnet.ip(p.hostIp()))
            .thenComparingInt(p -> (int) Subnet.ip(p.containerIp()))
            .thenComparingInt(PublishedPort::containerPort);

    public PublishedPort {
        if (protocol == null || hostIp == null || containerIp == null) throw BerthException.invalid("invalid port mapping: missing field");
        if (hostPort < 1 || hostPort > 65535) throw BerthException.invalid("invalid host port: " + hostPort);
        if (containerPort < 1 || containerPort > 65535) throw BerthException.invalid("invalid container port: " + containerPort);
    }

    public static PublishedPort tcp(String hostIp, int hostPort, String containerIp, int containerPort) {
        return new PublishedPort(Protocol.TCP, Subnet.parseInet4(hostIp), hostPort, Subnet.parseInet4(containerIp), containerPort);
    }

    public static PublishedPort udp(String hostIp, int hostPort, String containerIp, int containerPort) {
        return new PublishedPort(Protocol.UDP, Subnet.parseInet4(hostIp), hostPort, Subnet.parseInet4(containerIp), containerPort);
    }

    /** Published on every host address ({@code 0.0.0.0}). */
    public boolean anyHostIp() { return hostIp.isAnyLocalAddress(); }

    /** Reachable as {@code 127.0.0.1:hostPort} (or another loopback address) from the host. */
    public boolean reachableOnLoopback() { return anyHostIp() || hostIp.isLoopbackAddress(); }

    /** Docker's text for the binding: {@code 0.0.0.0:8080}. */
    String binding() { return hostIp.getHostAddress() + ":" + hostPort; }
}
