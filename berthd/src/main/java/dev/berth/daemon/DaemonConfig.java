package dev.berth.daemon;

import java.nio.file.Path;
import java.util.List;

/**
 * berthd's settings, from flags and the JSON config file (same keys as dockerd's daemon.json
 * where they exist). Flags win over the file.
 */
public record DaemonConfig(
        List<String> hosts,
        Path dataRoot,
        Path execRoot,
        Path pidFile,
        String defaultRuntime,
        String logLevel,
        boolean ipMasq,
        boolean iptables,
        String cgroupParent,
        boolean registryLoopbackOnly,
        List<String> insecureRegistries,
        List<String> registryMirrors,
        List<Path> registryCertsDirs,
        int maxDownloadAttempts,
        java.time.Duration registryStallTimeout,
        int pushCompressionLevel,
        Net net) {

    /**
     * Networking settings: the default bridge's device and address ({@code --bridge},
     * {@code --bip}), IP forwarding, the daemon-wide DNS servers, and whether the embedded DNS
     * server may forward unknown names (tests turn it off so no query leaves the machine), and
     * {@code default-address-pools} as {@code base=<cidr>,size=<prefix>} strings.
     */
    public record Net(String bridge, String bip, boolean ipForward, List<String> dns, boolean embeddedDnsForward,
                      List<String> addressPools) {}

    public static final String DEFAULT_SOCKET = "unix:///run/berth/berth.sock";

    /** The unix socket paths among the hosts. */
    public List<Path> unixSockets() {
        return hosts.stream().filter(h -> h.startsWith("unix://")).map(h -> Path.of(h.substring(7))).toList();
    }
}
