package dev.berth.daemon.net;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rtnetlink wire format (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h): request
 * encoding and reply decoding, as pure functions of bytes so that they are tested without
 * root. Header fields are in host byte order; IPv4 addresses in attributes are in network
 * order, as {@code Inet4Address.getAddress()} gives them. Every message and attribute is
 * padded to 4 bytes.
 */
final class NetlinkMessages {
    private NetlinkMessages() {}

    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    // nlmsghdr types and flags
    static final int NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 1, NLM_F_MULTI = 2, NLM_F_ACK = 4, NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400;
    /** In an NLMSG_ERROR's own header: the request was not echoed / extended-ACK TLVs follow. */
    static final int NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;
    static final int HEADER = 16;

    // rtnetlink message types
    static final int RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;

    static final int AF_UNSPEC = 0, AF_INET = 2;

    // struct ifinfomsg flags and link attributes
    static final int IFF_UP = 1;
    static final int IFLA_ADDRESS = 1, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_MASTER = 10, IFLA_LINKINFO = 18,
            IFLA_NET_NS_FD = 28;
    static final int IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;

    // address attributes
    static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4;

    // routes
    static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_TABLE = 15;
    static final int RT_TABLE_MAIN = 254, RTPROT_BOOT = 3, RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253,
            RTN_UNICAST = 1;

    static final int IFINFOMSG = 16, IFADDRMSG = 8, RTMSG = 12;

    static int align(int n) {
        return (n + 3) & ~3;
    }

    /** One request being built: header, one fixed struct, then attributes (nests allowed). */
    static final class Request {
        private ByteBuffer buf = ByteBuffer.allocate(256).order(ORDER);
        private final Deque<Integer> nests = new ArrayDeque<>();
        final int type;

        Request(int type, int flags) {
            this.type = type;
            buf.putInt(0).putShort((short) type).putShort((short) (flags | NLM_F_REQUEST)).putInt(0).putInt(0);
        }

        /** struct ifinfomsg. */
        Request ifinfo(int family, int index, int flags, int change) {
            room(IFINFOMSG);
            buf.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
            return this;
        }

        /** struct ifaddrmsg. */
        Request ifaddr(int family, int prefixLength, int scope, int index) {
            room(IFADDRMSG);
            buf.put((byte) family).put((byte) prefixLength).put((byte) 0).put((byte) scope).putInt(index);
            return this;
        }

        /** struct rtmsg. */
        Request rtmsg(int family, int dstLength, int table, int protocol, int scope, int routeType) {
            room(RTMSG);
            buf.put((byte) family).put((byte) dstLength).put((byte) 0).put((byte) 0)
                    .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) routeType).putInt(0);
            return this;
        }

        Request attr(int type, byte[] value) {
            int len = 4 + value.length;
            room(align(len));
            buf.putShort((short) len).putShort((short) type).put(value);
            pad();
            return this;
        }

        Request attrInt(int type, int value) {
            return attr(type, ByteBuffer.allocate(4).order(ORDER).putInt(value).array());
        }

        /** A NUL-terminated string attribute. */
        Request attrString(int type, String value) {
            byte[] s = value.getBytes(StandardCharsets.UTF_8);
            return attr(type, Arrays.copyOf(s, s.length + 1));
        }

        Request beginNest(int type) {
            room(4);
            nests.push(buf.position());
            buf.putShort((short) 0).putShort((short) type);
            return this;
        }

        Request endNest() {
            int start = nests.pop();
            buf.putShort(start, (short) (buf.position() - start));
            return this;
        }

        /** The finished message with its length and sequence number filled in. */
        byte[] toBytes(int seq) {
            if (!nests.isEmpty()) throw new IllegalStateException("unclosed nested attribute");
            byte[] out = Arrays.copyOf(buf.array(), buf.position());
            ByteBuffer.wrap(out).order(ORDER).putInt(0, out.length).putInt(8, seq);
            return out;
        }

        private void pad() {
            while ((buf.position() & 3) != 0) buf.put((byte) 0);
        }

        private void room(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ORDER);
                bigger.put(buf.flip());
                buf = bigger;
            }
        }
    }

    /** One received message; {@code payload} covers what follows the 16-byte header. */
    record Message(int type, int flags, int seq, ByteBuffer payload) {
        /** For NLMSG_ERROR and NLMSG_DONE: the (negative) errno, 0 for an ACK. */
        int error() {
            return payload.remaining() >= 4 ? payload.getInt(payload.position()) : 0;
        }

        /**
         * For NLMSG_ERROR with extended ACK: the kernel's text (NLMSGERR_ATTR_MSG), or null. The
         * TLVs follow the errno and the request's header (plus its payload unless capped).
         */
        String extAckMessage() {
            if ((flags & NLM_F_ACK_TLVS) == 0 || payload.remaining() < 4 + HEADER) return null;
            int p = payload.position();
            int skip = 4 + HEADER;
            if ((flags & NLM_F_CAPPED) == 0) skip = 4 + align(payload.getInt(p + 4));
            if (skip > payload.remaining()) return null;
            ByteBuffer tlvs = payload.slice(p + skip, payload.remaining() - skip).order(ORDER);
            ByteBuffer msg = attributes(tlvs).get(NLMSGERR_ATTR_MSG);
            return msg == null ? null : string(msg);
        }
    }

    /** Splits one received datagram into its messages; a length that does not fit is refused. */
    static List<Message> split(byte[] datagram, int length) {
        ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ORDER);
        List<Message> out = new ArrayList<>();
        int pos = 0;
        while (pos + HEADER <= length) {
            int len = b.getInt(pos);
            if (len < HEADER || pos + len > length) throw new IllegalStateException("malformed netlink message (length " + len + ")");
            int type = Short.toUnsignedInt(b.getShort(pos + 4));
            int flags = Short.toUnsignedInt(b.getShort(pos + 6));
            int seq = b.getInt(pos + 8);
            out.add(new Message(type, flags, seq, b.slice(pos + HEADER, len - HEADER).order(ORDER)));
            pos += align(len);
        }
        return out;
    }

    /**
     * The attributes of a region (after the fixed struct), by type with the nested and
     * byte-order flag bits cleared; each value is a buffer of exactly its bytes.
     */
    static Map<Integer, ByteBuffer> attributes(ByteBuffer region) {
        Map<Integer, ByteBuffer> out = new HashMap<>();
        int pos = region.position(), end = region.limit();
        while (pos + 4 <= end) {
            int len = Short.toUnsignedInt(region.getShort(pos));
            int type = Short.toUnsignedInt(region.getShort(pos + 2)) & 0x3fff;
            if (len < 4 || pos + len > end) break;
            out.putIfAbsent(type, region.slice(pos + 4, len - 4).order(ORDER));
            pos += align(len);
        }
        return out;
    }

    /** The attributes after a fixed struct of {@code fixed} bytes at the start of {@code payload}. */
    static Map<Integer, ByteBuffer> attributes(ByteBuffer payload, int fixed) {
        if (payload.remaining() < fixed) return Map.of();
        return attributes(payload.slice(payload.position() + fixed, payload.remaining() - fixed).order(ORDER));
    }

    /** A string attribute without its NUL terminator. */
    static String string(ByteBuffer value) {
        byte[] b = new byte[value.remaining()];
        value.get(value.position(), b);
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    static int u32(ByteBuffer value) {
        return value.getInt(value.position());
    }

    static byte[] bytes(ByteBuffer value) {
        byte[] b = new byte[value.remaining()];
        value.get(value.position(), b);
        return b;
    }
}
