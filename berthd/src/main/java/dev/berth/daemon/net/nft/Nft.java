package dev.berth.daemon.net.nft;

import java.util.Optional;

/** The two things {@link NftFirewall} asks of nftables. */
public interface Nft {
    /** Runs a script as one transaction ({@code nft -f -}): all of it commits, or none. */
    void run(String script);

    /** {@code nft -j list table ip <table>}; empty when the table does not exist. */
    Optional<String> listJson(String table);
}
