package dev.berth.daemon.net;

import static dev.berth.daemon.net.NetlinkMessages.AF_INET;
import static dev.berth.daemon.net.NetlinkMessages.AF_UNSPEC;
import static dev.berth.daemon.net.NetlinkMessages.IFADDRMSG;
import static dev.berth.daemon.net.NetlinkMessages.IFA_ADDRESS;
import static dev.berth.daemon.net.NetlinkMessages.IFA_BROADCAST;
import static dev.berth.daemon.net.NetlinkMessages.IFA_LOCAL;
import static dev.berth.daemon.net.NetlinkMessages.IFF_UP;
import static dev.berth.daemon.net.NetlinkMessages.IFINFOMSG;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_ADDRESS;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_IFNAME;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_INFO_DATA;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_INFO_KIND;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_LINKINFO;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_MASTER;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_MTU;
import static dev.berth.daemon.net.NetlinkMessages.IFLA_NET_NS_FD;
import static dev.berth.daemon.net.NetlinkMessages.NLMSG_DONE;
import static dev.berth.daemon.net.NetlinkMessages.NLMSG_ERROR;
import static dev.berth.daemon.net.NetlinkMessages.NLM_F_ACK;
import static dev.berth.daemon.net.NetlinkMessages.NLM_F_CREATE;
import static dev.berth.daemon.net.NetlinkMessages.NLM_F_DUMP;
import static dev.berth.daemon.net.NetlinkMessages.NLM_F_DUMP_INTR;
import static dev.berth.daemon.net.NetlinkMessages.NLM_F_EXCL;
import static dev.berth.daemon.net.NetlinkMessages.RTA_DST;
import static dev.berth.daemon.net.NetlinkMessages.RTA_GATEWAY;
import static dev.berth.daemon.net.NetlinkMessages.RTA_OIF;
import static dev.berth.daemon.net.NetlinkMessages.RTA_TABLE;
import static dev.berth.daemon.net.NetlinkMessages.RTMSG;
import static dev.berth.daemon.net.NetlinkMessages.RTM_DELADDR;
import static dev.berth.daemon.net.NetlinkMessages.RTM_DELLINK;
import static dev.berth.daemon.net.NetlinkMessages.RTM_DELROUTE;
import static dev.berth.daemon.net.NetlinkMessages.RTM_GETADDR;
import static dev.berth.daemon.net.NetlinkMessages.RTM_GETLINK;
import static dev.berth.daemon.net.NetlinkMessages.RTM_GETROUTE;
import static dev.berth.daemon.net.NetlinkMessages.RTM_NEWADDR;
import static dev.berth.daemon.net.NetlinkMessages.RTM_NEWLINK;
import static dev.berth.daemon.net.NetlinkMessages.RTM_NEWROUTE;
import static dev.berth.daemon.net.NetlinkMessages.RTN_UNICAST;
import static dev.berth.daemon.net.NetlinkMessages.RTPROT_BOOT;
import static dev.berth.daemon.net.NetlinkMessages.RT_SCOPE_LINK;
import static dev.berth.daemon.net.NetlinkMessages.RT_SCOPE_UNIVERSE;
import static dev.berth.daemon.net.NetlinkMessages.RT_TABLE_MAIN;
import static dev.berth.daemon.net.NetlinkMessages.VETH_INFO_PEER;

import dev.berth.daemon.net.NetlinkMessages.Message;
import dev.berth.daemon.net.NetlinkMessages.Request;
import dev.berth.daemon.os.Posix;
import dev.berth.daemon.os.PosixException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An rtnetlink (NETLINK_ROUTE) socket: links, IPv4 addresses and routes of one network
 * namespace, the one the socket was opened in ({@link #open()}: the calling thread's;
 * {@link #open(NetNs)}: that namespace's, whatever thread uses the socket afterwards).
 *
 * <p>Each call is one request answered by the kernel before it returns (an ACK, one reply or
 * a dump); a refusal throws {@link NetlinkException} with the kernel's errno and, when it gives
 * one, its own explanation. Calls are serialised per socket and safe from any thread. Replies
 * to rtnetlink requests are queued by the kernel before {@code sendto} returns, so the
 * {@code recv} never waits in practice; a 5-second receive timeout guards against a lost one.
 *
 * <p>Links are named by their names, looked up by the kernel in the socket's namespace.
 * IPv4 only: IPv6 addresses and routes are refused with {@link UnsupportedOperationException}
 * until the network code needs them.
 */
public final class Netlink implements AutoCloseable {
    /**
     * A link as {@code ip link} lists it. {@code kind} is the rtnetlink kind ("bridge", "veth",
     * ...), empty for devices without one (physical devices, loopback); {@code masterIndex} is
     * 0 when the link has no master.
     */
    public record Link(int index, String name, String kind, boolean up, int masterIndex, int mtu, String mac) {}

    /** An IPv4 address on a link; {@code broadcast} is null when it has none. */
    public record Address(int linkIndex, Inet4Address address, int prefixLength, Inet4Address broadcast) {}

    /**
     * An IPv4 route of the main table. {@code gateway} is null for a directly connected route,
     * {@code linkIndex} 0 when the route names no output link.
     */
    public record Route(Inet4Address destination, int prefixLength, Inet4Address gateway, int linkIndex) {
        public boolean isDefault() {
            return prefixLength == 0;
        }
    }

    private static final int NETLINK_ROUTE = 0, SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10, NETLINK_EXT_ACK = 11, NETLINK_GET_STRICT_CHK = 12;
    /** sockaddr_nl of the kernel: family AF_NETLINK, port 0, no groups. */
    private static final byte[] KERNEL = sockaddrNl();
    private static final int RECV_BUFFER = 64 * 1024;
    private static final int RECV_TIMEOUT_SECONDS = 5;
    private static final int IFNAMSIZ = 16;

    private final ReentrantLock lock = new ReentrantLock();
    private final byte[] recvBuffer = new byte[RECV_BUFFER];
    private final String where;
    private int fd;
    private int seq;

    private Netlink(int fd, String where) {
        this.fd = fd;
        this.where = where;
    }

    /** A socket in the calling thread's network namespace. */
    public static Netlink open() throws IOException {
        return configure(Posix.socket(Posix.AF_NETLINK, Posix.SOCK_RAW | Posix.SOCK_CLOEXEC, NETLINK_ROUTE), "");
    }

    /**
     * A socket in {@code ns}: created on a thread inside it, so every call on it acts on that
     * namespace from whatever thread makes it. It keeps the namespace alive until closed.
     */
    public static Netlink open(NetNs ns) throws IOException {
        int fd = ns.call(() -> Posix.socket(Posix.AF_NETLINK, Posix.SOCK_RAW | Posix.SOCK_CLOEXEC, NETLINK_ROUTE));
        return configure(fd, " in " + ns);
    }

    private static Netlink configure(int fd, String where) throws IOException {
        try {
            // Extended ACKs carry the kernel's explanation; capped ACKs do not echo our request;
            // strict checking makes the kernel honour the filters in dump requests.
            Posix.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
            Posix.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
            Posix.setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
            byte[] timeout = ByteBuffer.allocate(16).order(NetlinkMessages.ORDER)
                    .putLong(RECV_TIMEOUT_SECONDS).putLong(0).array(); // struct timeval
            Posix.setsockopt(fd, Posix.SOL_SOCKET, Posix.SO_RCVTIMEO, timeout);
            Posix.bind(fd, sockaddrNl());
            return new Netlink(fd, where);
        } catch (IOException | RuntimeException e) {
            Posix.close(fd);
            throw e;
        }
    }

    // ---------------------------------------------------------------- links

    /** Creates a bridge with the kernel's default MTU. */
    public void createBridge(String name) throws IOException {
        createBridge(name, 0);
    }

    /** Creates a bridge (down); {@code mtu} 0 keeps the kernel's default. */
    public void createBridge(String name, int mtu) throws IOException {
        Request r = new Request(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL).ifinfo(AF_UNSPEC, 0, 0, 0)
                .attrString(IFLA_IFNAME, checkName(name));
        if (mtu != 0) r.attrInt(IFLA_MTU, checkMtu(mtu));
        r.beginNest(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "bridge").endNest();
        ack("create bridge " + name, r);
    }

    /** {@link #createVeth(String, String, NetNs, int)} with the kernel's default MTU. */
    public void createVeth(String name, String peerName, NetNs peerNamespace) throws IOException {
        createVeth(name, peerName, peerNamespace, 0);
    }

    /**
     * Creates a veth pair (both ends down): {@code name} in this socket's namespace and
     * {@code peerName} directly in {@code peerNamespace} (null: this namespace too), so the
     * peer never appears on the host under its name. {@code mtu} 0 keeps the default.
     */
    public void createVeth(String name, String peerName, NetNs peerNamespace, int mtu) throws IOException {
        checkName(name);
        checkName(peerName);
        if (mtu != 0) checkMtu(mtu);
        int nsFd = peerNamespace == null ? -1 : peerNamespace.openFd();
        try {
            Request r = new Request(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL).ifinfo(AF_UNSPEC, 0, 0, 0)
                    .attrString(IFLA_IFNAME, name);
            if (mtu != 0) r.attrInt(IFLA_MTU, mtu);
            r.beginNest(IFLA_LINKINFO).attrString(IFLA_INFO_KIND, "veth").beginNest(IFLA_INFO_DATA)
                    .beginNest(VETH_INFO_PEER).ifinfo(AF_UNSPEC, 0, 0, 0).attrString(IFLA_IFNAME, peerName);
            if (mtu != 0) r.attrInt(IFLA_MTU, mtu);
            if (nsFd >= 0) r.attrInt(IFLA_NET_NS_FD, nsFd);
            r.endNest().endNest().endNest();
            ack("create veth " + name + " (peer " + peerName
                    + (peerNamespace == null ? "" : " in " + peerNamespace) + ")", r);
        } finally {
            Posix.close(nsFd);
        }
    }

    public void setUp(String name) throws IOException {
        changeLink("set " + name + " up", name, IFF_UP, IFF_UP);
    }

    public void setDown(String name) throws IOException {
        changeLink("set " + name + " down", name, 0, IFF_UP);
    }

    /** Brings up {@code lo}: a new namespace starts with it down. */
    public void loopbackUp() throws IOException {
        setUp("lo");
    }

    /** Attaches {@code name} to a bridge ({@code ip link set NAME master MASTER}). */
    public void setMaster(String name, String master) throws IOException {
        int masterIndex = linkIndex(master);
        ack("set " + name + " master " + master, linkRequest(name).attrInt(IFLA_MASTER, masterIndex));
    }

    /** Detaches {@code name} from its bridge ({@code ip link set NAME nomaster}). */
    public void clearMaster(String name) throws IOException {
        ack("set " + name + " nomaster", linkRequest(name).attrInt(IFLA_MASTER, 0));
    }

    public void setMtu(String name, int mtu) throws IOException {
        ack("set " + name + " mtu " + mtu, linkRequest(name).attrInt(IFLA_MTU, checkMtu(mtu)));
    }

    /** Sets the hardware address, given as {@code 02:42:ac:11:00:02}. */
    public void setMac(String name, String mac) throws IOException {
        ack("set " + name + " address " + mac, linkRequest(name).attr(IFLA_ADDRESS, parseMac(mac)));
    }

    /** Renames a link. Rename before bringing it up: older kernels refuse while it is up (EBUSY; 6.18 allows it). */
    public void rename(String name, String newName) throws IOException {
        checkName(newName);
        int index = linkIndex(name);
        Request r = new Request(RTM_NEWLINK, NLM_F_ACK).ifinfo(AF_UNSPEC, index, 0, 0).attrString(IFLA_IFNAME, newName);
        ack("rename " + name + " to " + newName, r);
    }

    /** Moves a link into another namespace, keeping its name (it goes down on the way). */
    public void moveToNetns(String name, NetNs ns) throws IOException {
        int nsFd = ns.openFd();
        try {
            ack("move " + name + " to " + ns, linkRequest(name).attrInt(IFLA_NET_NS_FD, nsFd));
        } finally {
            Posix.close(nsFd);
        }
    }

    /** Deletes a link; for a veth, its peer goes too, in whatever namespace it is. */
    public void deleteLink(String name) throws IOException {
        Request r = new Request(RTM_DELLINK, NLM_F_ACK).ifinfo(AF_UNSPEC, 0, 0, 0).attrString(IFLA_IFNAME, checkName(name));
        ack("delete link " + name, r);
    }

    /** The link's index; {@link NetlinkException} (ENODEV, {@code notFound()}) when there is none. */
    public int linkIndex(String name) throws IOException {
        return link(name).index();
    }

    /** The link named {@code name}; {@link NetlinkException} (ENODEV) when there is none. */
    public Link link(String name) throws IOException {
        Request r = new Request(RTM_GETLINK, 0).ifinfo(AF_UNSPEC, 0, 0, 0).attrString(IFLA_IFNAME, checkName(name));
        return parseLink(get("find link " + name, r));
    }

    /** The link named {@code name}, if there is one. */
    public Optional<Link> findLink(String name) throws IOException {
        try {
            return Optional.of(link(name));
        } catch (NetlinkException e) {
            if (e.errno() == Posix.ENODEV) return Optional.empty();
            throw e;
        }
    }

    /** Every link of the namespace, in the kernel's order (by index). */
    public List<Link> links() throws IOException {
        List<Link> out = new ArrayList<>();
        for (Message m : dump("list links", new Request(RTM_GETLINK, NLM_F_DUMP).ifinfo(AF_UNSPEC, 0, 0, 0))) {
            if (m.type() == RTM_NEWLINK) out.add(parseLink(m));
        }
        return out;
    }

    // ---------------------------------------------------------------- addresses

    /**
     * Adds {@code address/prefixLength} to a link, with the subnet's broadcast address as
     * {@code ip addr add ... brd +} sets it (none for /31 and /32). Its subnet's route appears
     * with it (once the link is up).
     */
    public void addAddress(String link, InetAddress address, int prefixLength) throws IOException {
        Inet4Address a = ipv4(address);
        checkPrefix(prefixLength);
        Request r = new Request(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
                .ifaddr(AF_INET, prefixLength, RT_SCOPE_UNIVERSE, linkIndex(link))
                .attr(IFA_LOCAL, a.getAddress()).attr(IFA_ADDRESS, a.getAddress());
        if (prefixLength < 31) r.attr(IFA_BROADCAST, broadcast(a, prefixLength).getAddress());
        ack("add address " + a.getHostAddress() + "/" + prefixLength + " to " + link, r);
    }

    public void deleteAddress(String link, InetAddress address, int prefixLength) throws IOException {
        Inet4Address a = ipv4(address);
        checkPrefix(prefixLength);
        Request r = new Request(RTM_DELADDR, NLM_F_ACK).ifaddr(AF_INET, prefixLength, RT_SCOPE_UNIVERSE, linkIndex(link))
                .attr(IFA_LOCAL, a.getAddress()).attr(IFA_ADDRESS, a.getAddress());
        ack("delete address " + a.getHostAddress() + "/" + prefixLength + " from " + link, r);
    }

    /** The IPv4 addresses of one link. */
    public List<Address> addresses(String link) throws IOException {
        return addresses(linkIndex(link));
    }

    /** The IPv4 addresses of every link. */
    public List<Address> addresses() throws IOException {
        return addresses(0);
    }

    private List<Address> addresses(int linkIndex) throws IOException {
        List<Address> out = new ArrayList<>();
        Request r = new Request(RTM_GETADDR, NLM_F_DUMP).ifaddr(AF_INET, 0, 0, linkIndex);
        for (Message m : dump("list addresses", r)) {
            if (m.type() != RTM_NEWADDR) continue;
            ByteBuffer p = m.payload();
            int prefix = Byte.toUnsignedInt(p.get(p.position() + 1));
            int index = p.getInt(p.position() + 4);
            Map<Integer, ByteBuffer> attrs = NetlinkMessages.attributes(p, IFADDRMSG);
            ByteBuffer local = attrs.getOrDefault(IFA_LOCAL, attrs.get(IFA_ADDRESS));
            if (local == null) continue;
            ByteBuffer brd = attrs.get(IFA_BROADCAST);
            out.add(new Address(index, inet4(local), prefix, brd == null ? null : inet4(brd)));
        }
        return out;
    }

    // ---------------------------------------------------------------- routes

    /** {@code ip route add default via GATEWAY}. */
    public void addDefaultRoute(InetAddress gateway) throws IOException {
        addRoute(inet4(new byte[4]), 0, gateway, null);
    }

    /**
     * Adds a route to {@code destination/prefixLength} (host bits must be zero) in the main
     * table: via {@code gateway} if not null, out of {@code link} if not null (a route with no
     * gateway is directly connected, scope link, and needs the link).
     */
    public void addRoute(InetAddress destination, int prefixLength, InetAddress gateway, String link) throws IOException {
        Inet4Address dst = ipv4(destination);
        checkPrefix(prefixLength);
        Inet4Address gw = gateway == null ? null : ipv4(gateway);
        if (gw == null && link == null) throw new IllegalArgumentException("a route needs a gateway or a link");
        Request r = new Request(RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
                .rtmsg(AF_INET, prefixLength, RT_TABLE_MAIN, RTPROT_BOOT, gw == null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
                        RTN_UNICAST);
        if (prefixLength > 0) r.attr(RTA_DST, dst.getAddress());
        if (gw != null) r.attr(RTA_GATEWAY, gw.getAddress());
        if (link != null) r.attrInt(RTA_OIF, linkIndex(link));
        ack("add route " + routeName(dst, prefixLength) + (gw == null ? "" : " via " + gw.getHostAddress())
                + (link == null ? "" : " dev " + link), r);
    }

    /** Deletes the main table's route to {@code destination/prefixLength} (whatever its gateway). */
    public void deleteRoute(InetAddress destination, int prefixLength) throws IOException {
        Inet4Address dst = ipv4(destination);
        checkPrefix(prefixLength);
        // As ip route del: protocol and type 0 and scope "nowhere" match any route to dst.
        Request r = new Request(RTM_DELROUTE, NLM_F_ACK).rtmsg(AF_INET, prefixLength, RT_TABLE_MAIN, 0, 255, 0);
        if (prefixLength > 0) r.attr(RTA_DST, dst.getAddress());
        ack("delete route " + routeName(dst, prefixLength), r);
    }

    /** The IPv4 unicast routes of the main table. */
    public List<Route> routes() throws IOException {
        List<Route> out = new ArrayList<>();
        Request req = new Request(RTM_GETROUTE, NLM_F_DUMP).rtmsg(AF_INET, 0, 0, 0, 0, 0);
        for (Message m : dump("list routes", req)) {
            if (m.type() != RTM_NEWROUTE) continue;
            ByteBuffer p = m.payload();
            int dstLen = Byte.toUnsignedInt(p.get(p.position() + 1));
            int table = Byte.toUnsignedInt(p.get(p.position() + 4));
            int type = Byte.toUnsignedInt(p.get(p.position() + 7));
            Map<Integer, ByteBuffer> attrs = NetlinkMessages.attributes(p, RTMSG);
            if (attrs.containsKey(RTA_TABLE)) table = NetlinkMessages.u32(attrs.get(RTA_TABLE));
            if (table != RT_TABLE_MAIN || type != RTN_UNICAST) continue;
            ByteBuffer dst = attrs.get(RTA_DST), gw = attrs.get(RTA_GATEWAY), oif = attrs.get(RTA_OIF);
            out.add(new Route(dst == null ? inet4(new byte[4]) : inet4(dst), dstLen, gw == null ? null : inet4(gw),
                    oif == null ? 0 : NetlinkMessages.u32(oif)));
        }
        return out;
    }

    // ---------------------------------------------------------------- socket

    @Override
    public void close() {
        lock.lock();
        try {
            Posix.close(fd);
            fd = -1;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "rtnetlink socket" + where;
    }

    /** A request changing an existing link named {@code name} (RTM_NEWLINK without CREATE, as ip link set). */
    private Request linkRequest(String name) {
        return new Request(RTM_NEWLINK, NLM_F_ACK).ifinfo(AF_UNSPEC, 0, 0, 0).attrString(IFLA_IFNAME, checkName(name));
    }

    private void changeLink(String op, String name, int flags, int change) throws IOException {
        ack(op, new Request(RTM_NEWLINK, NLM_F_ACK).ifinfo(AF_UNSPEC, 0, flags, change)
                .attrString(IFLA_IFNAME, checkName(name)));
    }

    private void ack(String op, Request r) throws IOException {
        exchange(op, r, Mode.ACK);
    }

    private Message get(String op, Request r) throws IOException {
        return exchange(op, r, Mode.GET).getFirst();
    }

    /** A dump, restarted (up to 3 times) when the kernel flags it as interrupted by a change. */
    private List<Message> dump(String op, Request r) throws IOException {
        for (int attempt = 1; ; attempt++) {
            List<Message> got = exchange(op, r, Mode.DUMP);
            boolean interrupted = got.stream().anyMatch(m -> (m.flags() & NLM_F_DUMP_INTR) != 0);
            if (!interrupted || attempt == 3) return got;
        }
    }

    private enum Mode { ACK, GET, DUMP }

    /**
     * Sends one request and reads until its answer is complete: the ACK (ACK), the first reply
     * (GET), or NLMSG_DONE (DUMP). Messages with another sequence number (answers to a request
     * that timed out) are skipped. Returns the replies, copied out of the receive buffer.
     */
    private List<Message> exchange(String op, Request request, Mode mode) throws IOException {
        lock.lock();
        try {
            if (fd < 0) throw new IOException(op + ": " + this + " is closed");
            int s = ++seq;
            byte[] msg = request.toBytes(s);
            Posix.sendto(fd, msg, 0, msg.length, 0, KERNEL);
            List<Message> replies = new ArrayList<>();
            while (true) {
                int n;
                try {
                    n = Posix.recv(fd, recvBuffer, Posix.MSG_TRUNC);
                } catch (PosixException e) {
                    if (e.errno() == Posix.EAGAIN) {
                        throw new IOException(op + ": no answer from the kernel within " + RECV_TIMEOUT_SECONDS + " s");
                    }
                    throw e;
                }
                if (n > recvBuffer.length) throw new IOException(op + ": netlink reply of " + n + " bytes truncated");
                for (Message m : NetlinkMessages.split(Arrays.copyOf(recvBuffer, n), n)) {
                    if (m.seq() != s) continue;
                    if (m.type() == NLMSG_ERROR) {
                        int error = -m.error();
                        if (error != 0) throw new NetlinkException(op + where, error, m.extAckMessage());
                        if (mode == Mode.ACK) return replies;
                        continue;
                    }
                    if (m.type() == NLMSG_DONE) {
                        int error = -m.error();
                        if (error > 0) throw new NetlinkException(op + where, error, null);
                        return replies;
                    }
                    replies.add(m);
                    if (mode == Mode.GET) return replies;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- values

    private static Link parseLink(Message m) {
        ByteBuffer p = m.payload();
        int index = p.getInt(p.position() + 4);
        int flags = p.getInt(p.position() + 8);
        Map<Integer, ByteBuffer> attrs = NetlinkMessages.attributes(p, IFINFOMSG);
        String kind = "";
        ByteBuffer info = attrs.get(IFLA_LINKINFO);
        if (info != null) {
            ByteBuffer k = NetlinkMessages.attributes(info).get(IFLA_INFO_KIND);
            if (k != null) kind = NetlinkMessages.string(k);
        }
        ByteBuffer name = attrs.get(IFLA_IFNAME), master = attrs.get(IFLA_MASTER), mtu = attrs.get(IFLA_MTU);
        ByteBuffer mac = attrs.get(IFLA_ADDRESS);
        return new Link(index, name == null ? "" : NetlinkMessages.string(name), kind, (flags & IFF_UP) != 0,
                master == null ? 0 : NetlinkMessages.u32(master), mtu == null ? 0 : NetlinkMessages.u32(mtu),
                mac == null ? "" : HexFormat.ofDelimiter(":").formatHex(NetlinkMessages.bytes(mac)));
    }

    /** Names as the kernel accepts them (dev_valid_name): 1..15 bytes, not . or .., no / : or whitespace. */
    static String checkName(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        boolean ok = b.length > 0 && b.length < IFNAMSIZ && !name.equals(".") && !name.equals("..");
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c != '/' && c != ':' && c != '\0' && !Character.isWhitespace(c);
        }
        if (!ok) throw new IllegalArgumentException("invalid interface name \"" + name + "\" (1 to 15 bytes, no '/', ':' or spaces)");
        return name;
    }

    private static int checkMtu(int mtu) {
        if (mtu < 68 || mtu > 65535) throw new IllegalArgumentException("invalid MTU " + mtu + " (68 to 65535)");
        return mtu;
    }

    private static void checkPrefix(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("invalid IPv4 prefix length " + prefixLength);
    }

    static Inet4Address ipv4(InetAddress address) {
        if (address instanceof Inet4Address a) return a;
        throw new UnsupportedOperationException("IPv6 is not supported yet (" + address.getHostAddress() + ")");
    }

    static byte[] parseMac(String mac) {
        String[] parts = mac.split(":", -1);
        if (parts.length != 6) throw new IllegalArgumentException("invalid MAC address " + mac);
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) throw new IllegalArgumentException("invalid MAC address " + mac);
            try {
                out[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid MAC address " + mac);
            }
        }
        if ((out[0] & 1) != 0) throw new IllegalArgumentException("invalid MAC address " + mac + " (multicast)");
        return out;
    }

    /** The subnet's broadcast address: all host bits set. */
    static Inet4Address broadcast(Inet4Address a, int prefixLength) {
        int ip = ByteBuffer.wrap(a.getAddress()).getInt();
        int hostMask = prefixLength == 0 ? -1 : (1 << (32 - prefixLength)) - 1;
        return inet4(ByteBuffer.allocate(4).putInt(ip | hostMask).array());
    }

    private static String routeName(Inet4Address dst, int prefixLength) {
        return prefixLength == 0 ? "default" : dst.getHostAddress() + "/" + prefixLength;
    }

    private static Inet4Address inet4(ByteBuffer value) {
        return inet4(NetlinkMessages.bytes(value));
    }

    private static Inet4Address inet4(byte[] b) {
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an IPv4 address: " + b.length + " bytes", e);
        }
    }

    private static byte[] sockaddrNl() {
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        return ByteBuffer.allocate(12).order(NetlinkMessages.ORDER).putShort((short) Posix.AF_NETLINK).array();
    }
}
