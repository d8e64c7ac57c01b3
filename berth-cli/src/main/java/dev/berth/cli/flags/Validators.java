package dev.berth.cli.flags;

import dev.berth.cli.format.GoStrings;
import dev.berth.cli.net.IpAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The docker CLI's flag value checks (its {@code opts} package), with its messages. Each
 * constant is a {@link FlagSpec.Validator}: it returns the value to keep, normalised as docker
 * keeps it. (An enum rather than method references: no lambda bootstrap at start-up.)
 */
public enum Validators implements FlagSpec.Validator {
    /** {@code --dns}. */
    IP_ADDRESS,
    /** {@code --dns-search}. */
    DNS_SEARCH,
    /** {@code --add-host}. */
    EXTRA_HOST,
    /** {@code --label}. */
    LABEL;

    private static final String HOST_GATEWAY = "host-gateway";
    private static Pattern domain;

    @Override
    public String apply(String value) {
        return switch (this) {
            case IP_ADDRESS -> ipAddress(value);
            case DNS_SEARCH -> dnsSearch(value);
            case EXTRA_HOST -> extraHost(value);
            case LABEL -> label(value);
        };
    }

    /** {@code --dns}: an IP address, kept in Go's canonical spelling ("::0001" becomes "::1"). */
    public static String ipAddress(String value) {
        byte[] ip = IpAddress.parse(value.strip());
        if (ip == null) throw new IllegalArgumentException("IP address is not correctly formatted: " + value);
        return IpAddress.format(ip);
    }

    /** {@code --dns-search}: "." or a domain name; a trailing dot and spaces are dropped. */
    public static String dnsSearch(String value) {
        String v = trimSpaces(value);
        if (v.equals(".")) return v;
        if (v.isEmpty() || !isAsciiLetter(v.charAt(0))) throw new IllegalArgumentException(v + " is not a valid domain");
        // docker's own expression, "(:?" quirks included, so that exactly the same names pass
        if (domain == null) {
            domain = Pattern.compile("^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9]))"
                    + "(:?\\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\\-]*[a-zA-Z0-9])))*)\\.?\\s*$");
        }
        Matcher m = domain.matcher(v);
        if (m.find() && m.group(1).length() < 255) return m.group(1);
        throw new IllegalArgumentException(v + " is not a valid domain");
    }

    /**
     * {@code --add-host}: {@code host:ip} or {@code host=ip} (IPv6 after the first ':'), the IP
     * optionally in brackets, or {@code host-gateway}; kept as {@code host:ip}.
     */
    public static String extraHost(String value) {
        int eq = value.indexOf('=');
        int cut = eq >= 0 ? eq : value.indexOf(':');
        String host = cut < 0 ? "" : value.substring(0, cut);
        if (cut < 0 || host.isEmpty() || host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("bad format for add-host: " + GoStrings.quote(value));
        }
        String ip = value.substring(cut + 1);
        if (!ip.equals(HOST_GATEWAY)) {
            if (ip.length() > 2 && ip.charAt(0) == '[' && ip.charAt(ip.length() - 1) == ']') ip = ip.substring(1, ip.length() - 1);
            if (IpAddress.parse(ip.strip()) == null) {
                throw new IllegalArgumentException("invalid IP address in add-host: " + GoStrings.quote(ip));
            }
        }
        return host + ":" + ip;
    }

    /** {@code --label}: a non-empty key without blanks (the value is free). */
    public static String label(String value) {
        int eq = value.indexOf('=');
        String key = eq < 0 ? value : value.substring(0, eq);
        int b = 0;
        while (b < key.length() && (key.charAt(b) == ' ' || key.charAt(b) == '\t')) b++;
        key = key.substring(b);
        if (key.isEmpty()) throw new IllegalArgumentException("invalid label '" + value + "': empty name");
        if (key.indexOf(' ') >= 0 || key.indexOf('\t') >= 0) throw new IllegalArgumentException("label '" + key + "' contains whitespaces");
        return value;
    }

    private static String trimSpaces(String s) {
        int b = 0, e = s.length();
        while (b < e && s.charAt(b) == ' ') b++;
        while (e > b && s.charAt(e - 1) == ' ') e--;
        return s.substring(b, e);
    }

    private static boolean isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
}
