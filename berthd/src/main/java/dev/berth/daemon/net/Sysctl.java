package dev.berth.daemon.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Kernel parameters under {@code /proc/sys}, named as sysctl(8) names them
 * ({@code net.ipv4.ip_forward}).
 *
 * <p>{@code /proc/sys/net} shows the network namespace of the thread that opens the file, so
 * these methods act on the caller's namespace; {@link #set(NetNs, String, String)} and
 * {@link #get(NetNs, String)} act on another one (on a thread inside it). Interface names may
 * contain dots: as with sysctl(8), a key whose first separator is a slash uses slashes
 * ({@code net/ipv4/conf/eth0.100/route_localnet}); {@link #ipv4Conf} builds such keys.
 */
public final class Sysctl {
    private Sysctl() {}

    private static final Path ROOT = Path.of("/proc/sys");

    /** The key of a per-interface IPv4 setting, e.g. {@code net/ipv4/conf/br0/route_localnet}. */
    public static String ipv4Conf(String link, String setting) {
        Netlink.checkName(link);
        return "net/ipv4/conf/" + link + "/" + setting;
    }

    /** The file of {@code key} below /proc/sys; keys that would leave it are refused. */
    static Path path(String key) {
        int dot = key.indexOf('.'), slash = key.indexOf('/');
        boolean slashes = slash >= 0 && (dot < 0 || slash < dot);
        String[] parts = slashes ? key.split("/", -1) : key.split("\\.", -1);
        Path p = ROOT;
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || part.contains("/") || part.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid sysctl key " + key);
            }
            p = p.resolve(part);
        }
        return p;
    }

    /** Writes {@code value} (one write, as sysctl -w does); a missing key is NoSuchFileException. */
    public static void set(String key, String value) throws IOException {
        Path p = path(key);
        try {
            Files.writeString(p, value + "\n", StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(p.toString(), null, "no sysctl " + key);
        } catch (IOException e) {
            throw new IOException("sysctl " + key + "=" + value + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code value} if the kernel has the key, e.g. {@code net.bridge.bridge-nf-call-iptables},
     * which exists only while br_netfilter is loaded. Returns whether it was written.
     */
    public static boolean setIfPresent(String key, String value) throws IOException {
        if (!Files.exists(path(key))) return false;
        set(key, value);
        return true;
    }

    /** The value without its trailing newline. */
    public static String get(String key) throws IOException {
        return Files.readString(path(key), StandardCharsets.US_ASCII).strip();
    }

    /** {@link #set(String, String)} inside {@code ns}. */
    public static void set(NetNs ns, String key, String value) throws IOException {
        ns.run(() -> set(key, value));
    }

    /** {@link #setIfPresent(String, String)} inside {@code ns}. */
    public static boolean setIfPresent(NetNs ns, String key, String value) throws IOException {
        return ns.call(() -> setIfPresent(key, value));
    }

    /** {@link #get(String)} inside {@code ns}. */
    public static String get(NetNs ns, String key) throws IOException {
        return ns.call(() -> get(key));
    }
}
