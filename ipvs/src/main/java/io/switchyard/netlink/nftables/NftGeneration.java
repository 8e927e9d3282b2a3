package io.switchyard.netlink.nftables;

import io.switchyard.netlink.Attributes;
import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkClient;
import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.NetlinkSocket;

import java.nio.file.Path;

/**
 * The nf_tables ruleset generation of a network namespace: a counter the kernel moves on every
 * committed change to any nf_tables table, read in one netlink round trip ({@code NFT_MSG_GETGEN}).
 * A proxy that notes it after its own writes can tell later that nothing at all changed since,
 * without listing a rule. (iptables-nft writes through nf_tables; iptables-legacy does not, so
 * the counter says nothing about legacy tables.)
 */
public final class NftGeneration implements AutoCloseable {

    /** {@code NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN}. */
    static final int MSG_GETGEN = (10 << 8) | 16;
    /** {@code ... | NFT_MSG_NEWGEN}: the answer. */
    static final int MSG_NEWGEN = (10 << 8) | 15;
    /** {@code NFTA_GEN_ID}, a big-endian u32. */
    static final int NFTA_GEN_ID = 1;
    /** {@code struct nfgenmsg}: family (AF_UNSPEC), version, resource id. */
    static final int NFGENMSG_LENGTH = 4;

    private final NetlinkClient client;

    public NftGeneration(NetlinkClient client) {
        this.client = client;
    }

    /** The generation of the caller's network namespace. */
    public static NftGeneration open() {
        return new NftGeneration(new NetlinkClient(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)));
    }

    /** The generation of the network namespace behind {@code netnsFile}. */
    public static NftGeneration open(Path netnsFile) {
        return new NftGeneration(new NetlinkClient(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER, netnsFile)));
    }

    /** The request, as {@code nft} sends it. */
    static NetlinkMessage request() {
        return new MessageWriter(MSG_GETGEN, NetlinkMessage.F_REQUEST).rawU8(0).rawU8(0).rawBe16(0).build();
    }

    /** The generation in an answer. */
    static long decode(NetlinkMessage answer) {
        if (answer.type() != MSG_NEWGEN) {
            throw new NetlinkDecodeException("nf_tables generation: answer of type " + answer.type()
                    + ", not NFT_MSG_NEWGEN");
        }
        return Integer.toUnsignedLong(Attributes.decode(answer, NFGENMSG_LENGTH)
                .require(NFTA_GEN_ID, "NFTA_GEN_ID").be32());
    }

    /**
     * The current generation; a {@link NetlinkException} when the kernel has no nf_tables, a
     * {@link NetlinkDecodeException} when its answer makes no sense.
     */
    public long current() {
        return decode(client.query(request(), "read the nf_tables generation"));
    }

    @Override
    public void close() {
        client.close();
    }
}
