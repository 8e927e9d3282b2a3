package io.switchyard.agent.iptables;

import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.nftables.NftGeneration;

import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Whether anything in the kernel's tables can have changed since a sync noted the ruleset
 * generation: with iptables-nft, the nf_tables generation, read in one netlink round trip; with
 * iptables-legacy, or without nf_tables, unknown, and every sync reads back what it verifies.
 */
public final class RulesetGeneration implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RulesetGeneration.class.getName());

    /** Nothing known: every sync verifies. */
    public static final RulesetGeneration UNKNOWN = new RulesetGeneration(null);

    private final NftGeneration nft;

    private RulesetGeneration(NftGeneration nft) {
        this.nft = nft;
    }

    /**
     * The generation of the tables {@code iptables} writes, when it writes through nf_tables;
     * {@code opener} opens the netlink socket in the namespace {@code iptables} reaches.
     */
    public static RulesetGeneration of(Iptables iptables, Supplier<NftGeneration> opener) {
        if (!iptables.writesThroughNfTables()) {
            return UNKNOWN;
        }
        NftGeneration nft = null;
        try {
            nft = opener.get();
            nft.current();
            return new RulesetGeneration(nft);
        } catch (NetlinkException | NetlinkDecodeException e) {
            LOG.log(System.Logger.Level.DEBUG, "No nf_tables generation, every sync reads back its entry chains: {0}",
                    e.getMessage());
            if (nft != null) {
                nft.close();
            }
            return UNKNOWN;
        }
    }

    /** The current generation, or empty when it cannot be known. */
    public OptionalLong current() {
        if (nft == null) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(nft.current());
        } catch (NetlinkException | NetlinkDecodeException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        if (nft != null) {
            nft.close();
        }
    }
}
