package dev.berth.daemon.net.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What {@link DnsServer} needs to answer the clients of one listening socket: the names they
 * may see, the name of an address, and where every other query goes. The network code gives
 * one per listener (see {@link NameTable} for the Docker-like implementation); calls come from
 * many threads at once and must not block.
 *
 * <p>{@code client} is the query's source address. A listener inside one container's network
 * namespace already knows its client and may ignore it; a listener shared by a whole network
 * uses it to tell containers apart.
 */
public interface Resolver {

    /**
     * The addresses of {@code name}, or null when it is not a name of ours, in which case the
     * query is forwarded upstream. {@code name} is in lower case, without the trailing dot,
     * in {@link DnsMessage}'s presentation form. A known name without addresses of the asked
     * family is answered with an empty NOERROR, never forwarded (Docker does the same).
     */
    Addresses lookup(String name, InetAddress client);

    /** The name for {@code address} (the PTR answer, e.g. {@code web.appnet}), or null if unknown. */
    String reverse(InetAddress address, InetAddress client);

    /**
     * The servers other queries are forwarded to, in order; the server tries at most three.
     * Empty means no forwarding: such queries get SERVFAIL, as Docker answers when no upstream
     * is configured or reachable. Tests give only their own fake servers on 127.0.0.1.
     */
    List<InetSocketAddress> upstreams(InetAddress client);

    record Addresses(List<Inet4Address> ipv4, List<Inet6Address> ipv6) {
        public Addresses {
            ipv4 = List.copyOf(ipv4);
            ipv6 = List.copyOf(ipv6);
        }
    }
}
