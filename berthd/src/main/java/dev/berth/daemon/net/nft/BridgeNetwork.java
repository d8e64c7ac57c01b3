package dev.berth.daemon.net.nft;

import dev.berth.daemon.errors.BerthException;
import dev.berth.daemon.net.Subnet;
import java.net.Inet4Address;
import java.util.regex.Pattern;

/**
 * What the packet filter needs to know about one bridge network.
 *
 * @param bridge     the Linux bridge's interface name (at most 15 characters)
 * @param subnet     the network's IPv4 subnet
 * @param gateway    the bridge's own address, inside {@code subnet}
 * @param internal   no traffic is forwarded between the bridge and any other interface
 *                   ({@code docker network create --internal})
 * @param icc        containers on the bridge may talk to each other directly
 *                   ({@code com.docker.network.bridge.enable_icc})
 * @param masquerade traffic from the subnet leaving through a non-bridge interface is
 *                   masqueraded ({@code enable_ip_masquerade}, ANDed by the caller with the
 *                   daemon's {@code --ip-masq}); ignored for internal networks
 */
public record BridgeNetwork(String bridge, Subnet subnet, Inet4Address gateway,
                            boolean internal, boolean icc, boolean masquerade) {
    /**
     * Interface names as they may appear inside an nft string literal: no quotes, backslashes,
     * spaces or slashes (Docker's own {@code br-<12 hex>} and {@code docker0} fit).
     */
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

    public BridgeNetwork {
        if (bridge == null || !IFNAME.matcher(bridge).matches()) {
            throw BerthException.invalid("invalid bridge name: " + bridge);
        }
        if (subnet == null || gateway == null) throw BerthException.invalid("bridge " + bridge + ": subnet and gateway are required");
        if (!subnet.contains(gateway)) {
            throw BerthException.invalid("bridge " + bridge + ": gateway " + gateway.getHostAddress() + " is not in subnet " + subnet);
        }
    }
}
