package dev.berth.daemon.net.dns;

/**
 * A DNS message that cannot be parsed: too short, a count that promises more than the bytes
 * hold, a compression pointer that does not point backwards, a name longer than 255 octets.
 * The only exception {@link DnsMessage#parse} throws, whatever the input; the server answers
 * it with FORMERR (or drops the packet when not even the header is there).
 */
public final class DnsFormatException extends Exception {
    public DnsFormatException(String message) { super(message, null, false, false); }
}
