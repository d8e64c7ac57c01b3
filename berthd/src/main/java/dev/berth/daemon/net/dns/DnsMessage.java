package dev.berth.daemon.net.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One DNS message (RFC 1035 section 4): the header, the questions and three sections of
 * resource records, in pure Java.
 *
 * <p><b>Names</b> are strings in presentation form (the master-file syntax dig prints) without
 * the trailing dot; the root is {@code ""}. Label bytes that are not printable ASCII, and the
 * dot and backslash inside a label, are escaped ({@code \DDD}, {@code \.}, {@code \\}), so a
 * name read from the wire is always pure ASCII and never ambiguous. Case is kept as sent
 * (clients using 0x20 randomisation compare it); {@link #lower} gives the lookup form.
 *
 * <p><b>Parsing</b> ({@link #parse}) trusts nothing: every count and length is checked against
 * the bytes actually present, a compression pointer must point before the run of labels it
 * was read from (so following pointers always moves backwards and ends), names are limited to
 * 255 octets, and anything else wrong throws {@link DnsFormatException} and only that. An EDNS
 * OPT record in the additional section is not kept as a record: only the UDP payload size it
 * advertises ({@link #ednsUdpSize}, 0 without OPT) survives.
 *
 * <p><b>Encoding</b> ({@link #encode}) compresses names (owner names and the domain names inside
 * PTR, CNAME and NS data) against every earlier name, and with a size limit drops whole records
 * from the end and sets TC, as a UDP answer must.
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<ResourceRecord> answers,
        List<ResourceRecord> authorities, List<ResourceRecord> additionals, int ednsUdpSize) {

    public static final int TYPE_A = 1, TYPE_NS = 2, TYPE_CNAME = 5, TYPE_SOA = 6, TYPE_PTR = 12,
            TYPE_MX = 15, TYPE_TXT = 16, TYPE_AAAA = 28, TYPE_SRV = 33, TYPE_OPT = 41, TYPE_ANY = 255;
    public static final int CLASS_IN = 1;
    public static final int OPCODE_QUERY = 0;
    public static final int NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4, REFUSED = 5;

    public static final int FLAG_QR = 0x8000, FLAG_AA = 0x0400, FLAG_TC = 0x0200, FLAG_RD = 0x0100,
            FLAG_RA = 0x0080, FLAG_AD = 0x0020, FLAG_CD = 0x0010;

    /** The classic UDP limit; also the least a client that advertises EDNS may be sent. */
    public static final int UDP_MIN_SIZE = 512;
    /** The most a DNS message can be (the TCP length prefix is 16 bits). */
    public static final int MAX_SIZE = 65535;
    public static final int HEADER_SIZE = 12;
    private static final int MAX_NAME_OCTETS = 255, MAX_LABEL = 63;

    public DnsMessage {
        if ((id & ~0xffff) != 0) throw new IllegalArgumentException("id out of range: " + id);
        if ((flags & ~0xffff) != 0) throw new IllegalArgumentException("flags out of range: " + flags);
        if ((ednsUdpSize & ~0xffff) != 0) throw new IllegalArgumentException("EDNS size out of range: " + ednsUdpSize);
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    /** A question; a trailing dot on the name is dropped (names never carry it here). */
    public record Question(String name, int type, int dnsClass) {
        public Question {
            name = stripTrailingDot(name);
            if ((type & ~0xffff) != 0 || (dnsClass & ~0xffff) != 0) throw new IllegalArgumentException("type or class out of range");
        }
    }

    /** A resource record; the data is raw bytes, or a domain name for PTR, CNAME and NS. */
    public record ResourceRecord(String name, int type, int dnsClass, long ttl, Rdata data) {
        public ResourceRecord {
            name = stripTrailingDot(name);
            Objects.requireNonNull(data);
            if ((type & ~0xffff) != 0 || (dnsClass & ~0xffff) != 0) throw new IllegalArgumentException("type or class out of range");
            if (ttl < 0 || ttl > 0xffffffffL) throw new IllegalArgumentException("ttl out of range: " + ttl);
        }

        public static ResourceRecord a(String name, Inet4Address address, long ttl) {
            return new ResourceRecord(name, TYPE_A, CLASS_IN, ttl, new Rdata.Bytes(address.getAddress()));
        }

        public static ResourceRecord aaaa(String name, Inet6Address address, long ttl) {
            return new ResourceRecord(name, TYPE_AAAA, CLASS_IN, ttl, new Rdata.Bytes(address.getAddress()));
        }

        public static ResourceRecord ptr(String name, String target, long ttl) {
            return new ResourceRecord(name, TYPE_PTR, CLASS_IN, ttl, new Rdata.DomainName(target));
        }

        /** The address of an A or AAAA record; null for other types. */
        public InetAddress address() {
            if (!(data instanceof Rdata.Bytes(byte[] b)) || !(type == TYPE_A && b.length == 4 || type == TYPE_AAAA && b.length == 16)) return null;
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // only thrown for a bad length
            }
        }

        /** The domain name of a PTR, CNAME or NS record; null otherwise. */
        public String target() { return data instanceof Rdata.DomainName(String n) ? n : null; }
    }

    public sealed interface Rdata {
        record Bytes(byte[] bytes) implements Rdata {
            public Bytes { bytes = bytes.clone(); }
            @Override public byte[] bytes() { return bytes.clone(); }
            @Override public boolean equals(Object o) { return o instanceof Bytes b && Arrays.equals(bytes, b.bytes); }
            @Override public int hashCode() { return Arrays.hashCode(bytes); }
            @Override public String toString() { return "Bytes" + Arrays.toString(bytes); }
        }

        record DomainName(String name) implements Rdata {
            public DomainName { name = stripTrailingDot(name); }
        }
    }

    // ---- header accessors --------------------------------------------------------------------

    public boolean isResponse() { return (flags & FLAG_QR) != 0; }
    public int opcode() { return (flags >> 11) & 0xf; }
    public boolean authoritative() { return (flags & FLAG_AA) != 0; }
    public boolean truncated() { return (flags & FLAG_TC) != 0; }
    public boolean recursionDesired() { return (flags & FLAG_RD) != 0; }
    public boolean recursionAvailable() { return (flags & FLAG_RA) != 0; }
    public int rcode() { return flags & 0xf; }

    // ---- construction ------------------------------------------------------------------------

    /** A standard query with recursion desired, as stub resolvers send it. */
    public static DnsMessage query(int id, String name, int type) {
        return new DnsMessage(id, FLAG_RD, List.of(new Question(name, type, CLASS_IN)), List.of(), List.of(), List.of(), 0);
    }

    public DnsMessage withEdns(int udpSize) {
        return new DnsMessage(id, flags, questions, answers, authorities, additionals, udpSize);
    }

    /**
     * The reply to {@code query} as miekg/dns's {@code SetReply} builds it (and so Docker's
     * embedded server): same id and opcode, RD and CD copied, the first question echoed byte for
     * byte, QR set, then the given rcode, RA bit and answers.
     */
    public static DnsMessage reply(DnsMessage query, int rcode, boolean recursionAvailable, List<ResourceRecord> answers) {
        int f = FLAG_QR | (query.flags & (0xf << 11)) | (rcode & 0xf);
        if (query.opcode() == OPCODE_QUERY) f |= query.flags & (FLAG_RD | FLAG_CD);
        if (recursionAvailable) f |= FLAG_RA;
        List<Question> q = query.questions.isEmpty() ? List.of() : List.of(query.questions.getFirst());
        return new DnsMessage(query.id, f, q, answers, List.of(), List.of(), 0);
    }

    // ---- names -------------------------------------------------------------------------------

    /** ASCII-only lower case (DNS names compare case-insensitively in ASCII only, RFC 4343). */
    public static String lower(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] cs = name.toCharArray();
                for (int j = i; j < cs.length; j++) if (cs[j] >= 'A' && cs[j] <= 'Z') cs[j] += 'a' - 'A';
                return new String(cs);
            }
        }
        return name;
    }

    /** {@code name} without one trailing unescaped dot ("web." and "web" are the same name). */
    public static String stripTrailingDot(String name) {
        if (!name.endsWith(".")) return name;
        int backslashes = 0;
        for (int i = name.length() - 2; i >= 0 && name.charAt(i) == '\\'; i--) backslashes++;
        return backslashes % 2 == 0 ? name.substring(0, name.length() - 1) : name;
    }

    /** The raw labels of a presentation-form name; throws IllegalArgumentException for a malformed one. */
    static List<byte[]> labels(String name) {
        String n = stripTrailingDot(name);
        List<byte[]> out = new ArrayList<>();
        if (n.isEmpty()) return out;
        byte[] label = new byte[MAX_LABEL + 1];
        int len = 0, octets = 1;
        for (int i = 0; i <= n.length(); i++) {
            if (i == n.length() || n.charAt(i) == '.') {
                if (len == 0) throw new IllegalArgumentException("empty label in " + name);
                out.add(Arrays.copyOf(label, len));
                octets += len + 1;
                len = 0;
                continue;
            }
            int b = n.charAt(i);
            if (b == '\\') {
                if (i + 1 >= n.length()) throw new IllegalArgumentException("dangling escape in " + name);
                char c = n.charAt(i + 1);
                if (c >= '0' && c <= '9') {
                    String ddd = n.substring(i + 1, Math.min(i + 4, n.length()));
                    if (ddd.length() != 3 || !ddd.chars().allMatch(ch -> ch >= '0' && ch <= '9') || Integer.parseInt(ddd) > 255)
                        throw new IllegalArgumentException("bad \\DDD escape in " + name);
                    b = Integer.parseInt(ddd);
                    i += 3;
                } else {
                    b = c;
                    i += 1;
                }
            }
            if (b > 0xff) throw new IllegalArgumentException("non-Latin-1 character in " + name);
            if (len == MAX_LABEL) throw new IllegalArgumentException("label longer than 63 octets in " + name);
            label[len++] = (byte) b;
        }
        if (octets > MAX_NAME_OCTETS) throw new IllegalArgumentException("name longer than 255 octets: " + name);
        return out;
    }

    private static void appendLabel(StringBuilder sb, byte[] buf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            int b = buf[i] & 0xff;
            if (b == '.' || b == '\\') sb.append('\\').append((char) b);
            else if (b > 0x20 && b < 0x7f) sb.append((char) b);
            else sb.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10)).append((char) ('0' + b % 10));
        }
    }

    // ---- parsing -----------------------------------------------------------------------------

    public static DnsMessage parse(byte[] message) throws DnsFormatException {
        return parse(message, 0, message.length);
    }

    /** Parses {@code length} bytes at {@code offset}; bytes after the last record are ignored. */
    public static DnsMessage parse(byte[] buf, int offset, int length) throws DnsFormatException {
        Objects.checkFromIndexSize(offset, length, buf.length);
        Reader r = new Reader(Arrays.copyOfRange(buf, offset, offset + length));
        if (length < HEADER_SIZE) throw new DnsFormatException("message shorter than the 12-byte header (" + length + " bytes)");
        int id = r.u16(), flags = r.u16();
        int qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
        List<Question> questions = new ArrayList<>(Math.min(qd, 16));
        for (int i = 0; i < qd; i++) questions.add(new Question(r.name(), r.u16(), r.u16()));
        List<ResourceRecord> answers = r.records(an, "answer");
        List<ResourceRecord> authorities = r.records(ns, "authority");
        List<ResourceRecord> additionals = new ArrayList<>();
        int edns = 0;
        for (ResourceRecord rec : r.records(ar, "additional")) {
            if (rec.type() != TYPE_OPT) {
                additionals.add(rec);
                continue;
            }
            if (edns != 0) throw new DnsFormatException("more than one OPT record");
            if (!rec.name().isEmpty()) throw new DnsFormatException("OPT record not owned by the root");
            edns = Math.max(rec.dnsClass(), 1); // a (bogus) size of 0 still means "EDNS present"
        }
        return new DnsMessage(id, flags, questions, answers, authorities, additionals, edns);
    }

    /**
     * The first question of a message, reading nothing after it: enough to match an answer to
     * its query even when the records behind it are cut off (a truncated UDP answer may be).
     */
    static Question firstQuestion(byte[] message) throws DnsFormatException {
        if (message.length < HEADER_SIZE) throw new DnsFormatException("message shorter than the 12-byte header");
        Reader r = new Reader(message);
        r.pos = 4;
        if (r.u16() < 1) throw new DnsFormatException("no question");
        r.pos = HEADER_SIZE;
        return new Question(r.name(), r.u16(), r.u16());
    }

    /** Reads what a message's fixed header says, for answering one whose body does not parse. */
    static int headerId(byte[] buf, int offset) { return (buf[offset] & 0xff) << 8 | buf[offset + 1] & 0xff; }
    static int headerFlags(byte[] buf, int offset) { return (buf[offset + 2] & 0xff) << 8 | buf[offset + 3] & 0xff; }

    private static final class Reader {
        private final byte[] m;
        private int pos;

        Reader(byte[] m) { this.m = m; }

        private void need(int n, String what) throws DnsFormatException {
            if (m.length - pos < n) throw new DnsFormatException("message ends inside " + what + " at offset " + pos);
        }

        int u16() throws DnsFormatException {
            need(2, "a 16-bit field");
            int v = (m[pos] & 0xff) << 8 | m[pos + 1] & 0xff;
            pos += 2;
            return v;
        }

        long u32() throws DnsFormatException {
            need(4, "a 32-bit field");
            long v = (m[pos] & 0xffL) << 24 | (m[pos + 1] & 0xff) << 16 | (m[pos + 2] & 0xff) << 8 | m[pos + 3] & 0xff;
            pos += 4;
            return v;
        }

        /** Reads a name at the current position, following compression pointers. */
        String name() throws DnsFormatException {
            StringBuilder sb = new StringBuilder();
            int p = pos, after = -1, runStart = pos, octets = 1;
            while (true) {
                if (p >= m.length) throw new DnsFormatException("name runs past the end of the message");
                int b = m[p] & 0xff;
                if (b == 0) {
                    p++;
                    break;
                }
                switch (b & 0xc0) {
                    case 0xc0 -> {
                        if (p + 1 >= m.length) throw new DnsFormatException("compression pointer cut off at offset " + p);
                        int target = (b & 0x3f) << 8 | m[p + 1] & 0xff;
                        // Pointing before where this run of labels began makes every jump go
                        // strictly backwards: no loop is possible, however the pointers chain.
                        if (target >= runStart) throw new DnsFormatException("compression pointer at offset " + p + " does not point backwards");
                        if (after < 0) after = p + 2;
                        p = runStart = target;
                    }
                    case 0x00 -> {
                        if (p + 1 + b > m.length) throw new DnsFormatException("label runs past the end of the message");
                        octets += 1 + b;
                        if (octets > MAX_NAME_OCTETS) throw new DnsFormatException("name longer than 255 octets");
                        if (!sb.isEmpty()) sb.append('.');
                        appendLabel(sb, m, p + 1, b);
                        p += 1 + b;
                    }
                    default -> throw new DnsFormatException("unsupported label type 0x" + Integer.toHexString(b & 0xc0));
                }
            }
            pos = after >= 0 ? after : p;
            return sb.toString();
        }

        List<ResourceRecord> records(int count, String section) throws DnsFormatException {
            List<ResourceRecord> out = new ArrayList<>(Math.min(count, 16));
            for (int i = 0; i < count; i++) {
                String name = name();
                int type = u16(), cls = u16();
                long ttl = u32();
                int rdlen = u16();
                need(rdlen, "the data of a " + section + " record");
                int end = pos + rdlen;
                Rdata data;
                if (type == TYPE_PTR || type == TYPE_CNAME || type == TYPE_NS) {
                    String target = name();
                    if (pos != end) throw new DnsFormatException("domain name does not fill the record data");
                    data = new Rdata.DomainName(target);
                } else {
                    if (cls == CLASS_IN && (type == TYPE_A && rdlen != 4 || type == TYPE_AAAA && rdlen != 16))
                        throw new DnsFormatException("address record with " + rdlen + " bytes of data");
                    data = new Rdata.Bytes(Arrays.copyOfRange(m, pos, end));
                    pos = end;
                }
                out.add(new ResourceRecord(name, type, cls, ttl, data));
            }
            return out;
        }
    }

    // ---- encoding ----------------------------------------------------------------------------

    /** The whole message; IllegalStateException if it exceeds 65535 bytes. */
    public byte[] encode() {
        byte[] b = encode(MAX_SIZE);
        if ((headerFlags(b, 0) & FLAG_TC) != 0 && !truncated()) throw new IllegalStateException("message larger than 65535 bytes");
        return b;
    }

    /**
     * At most {@code maxSize} bytes (at least 512): records that do not fit are left out from the
     * end, whole, and TC is set. The header and question always fit (a name is at most 255
     * octets). An OPT record is written last when {@link #ednsUdpSize} is set.
     */
    public byte[] encode(int maxSize) {
        int limit = Math.clamp(maxSize, UDP_MIN_SIZE, MAX_SIZE);
        Writer w = new Writer();
        w.u16(id);
        w.u16(flags);
        w.u16(questions.size());
        w.u16(0);
        w.u16(0);
        w.u16(0);
        for (Question q : questions) {
            w.name(q.name());
            w.u16(q.type());
            w.u16(q.dnsClass());
        }
        int reserve = ednsUdpSize > 0 ? 11 : 0;
        boolean cut = false;
        int[] counts = new int[3];
        List<List<ResourceRecord>> sections = List.of(answers, authorities, additionals);
        for (int s = 0; s < 3 && !cut; s++) {
            for (ResourceRecord rec : sections.get(s)) {
                int mark = w.pos;
                w.record(rec);
                if (w.pos + reserve > limit) {
                    w.rollback(mark);
                    cut = true;
                    break;
                }
                counts[s]++;
            }
        }
        int arCount = counts[2];
        if (ednsUdpSize > 0) {
            w.u8(0);
            w.u16(TYPE_OPT);
            w.u16(ednsUdpSize);
            w.u32(0);
            w.u16(0);
            arCount++;
        }
        if (w.pos > limit) throw new IllegalStateException("question alone is larger than " + limit + " bytes");
        w.set16(2, cut ? flags | FLAG_TC : flags);
        w.set16(6, counts[0]);
        w.set16(8, counts[1]);
        w.set16(10, arCount);
        return Arrays.copyOf(w.buf, w.pos);
    }

    private static final class Writer {
        byte[] buf = new byte[512];
        int pos;
        /** Compression targets: canonical suffix name → offset of its first label. */
        final Map<String, Integer> names = new HashMap<>();
        final List<String> added = new ArrayList<>();

        void ensure(int n) {
            if (pos + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }

        void u8(int v) { ensure(1); buf[pos++] = (byte) v; }
        void u16(int v) { ensure(2); buf[pos++] = (byte) (v >> 8); buf[pos++] = (byte) v; }
        void u32(long v) { u16((int) (v >>> 16) & 0xffff); u16((int) v & 0xffff); }
        void set16(int at, int v) { buf[at] = (byte) (v >> 8); buf[at + 1] = (byte) v; }

        void name(String name) {
            List<byte[]> labels = labels(name);
            String[] keys = new String[labels.size()];
            StringBuilder sb = new StringBuilder();
            for (int i = labels.size() - 1; i >= 0; i--) {
                StringBuilder k = new StringBuilder();
                appendLabel(k, labels.get(i), 0, labels.get(i).length);
                if (!sb.isEmpty()) k.append('.').append(sb);
                sb = k;
                keys[i] = k.toString();
            }
            for (int i = 0; i < labels.size(); i++) {
                Integer at = names.get(keys[i]);
                if (at != null) {
                    u16(0xc000 | at);
                    return;
                }
                if (pos < 0x4000) {
                    names.put(keys[i], pos);
                    added.add(keys[i]);
                }
                byte[] l = labels.get(i);
                ensure(1 + l.length);
                buf[pos++] = (byte) l.length;
                System.arraycopy(l, 0, buf, pos, l.length);
                pos += l.length;
            }
            u8(0);
        }

        void record(ResourceRecord rec) {
            name(rec.name());
            u16(rec.type());
            u16(rec.dnsClass());
            u32(rec.ttl());
            int lenAt = pos;
            u16(0);
            switch (rec.data()) {
                case Rdata.DomainName(String n) -> name(n);
                case Rdata.Bytes b -> {
                    byte[] bytes = b.bytes();
                    if (bytes.length > 0xffff) throw new IllegalArgumentException("record data longer than 65535 bytes");
                    ensure(bytes.length);
                    System.arraycopy(bytes, 0, buf, pos, bytes.length);
                    pos += bytes.length;
                }
            }
            set16(lenAt, pos - lenAt - 2);
        }

        /** Forgets everything written from {@code mark} on, compression targets included. */
        void rollback(int mark) {
            pos = mark;
            for (int i = added.size() - 1; i >= 0 && names.get(added.get(i)) >= mark; i--) names.remove(added.remove(i));
        }
    }

    /** A message framed for DNS over TCP: a two-byte big-endian length, then the message. */
    public static byte[] tcpFrame(byte[] message) {
        byte[] framed = new byte[message.length + 2];
        framed[0] = (byte) (message.length >> 8);
        framed[1] = (byte) message.length;
        System.arraycopy(message, 0, framed, 2, message.length);
        return framed;
    }
}
