package io.switchyard.netlink.nftables;

import io.switchyard.netlink.MessageWriter;
import io.switchyard.netlink.NetlinkDecodeException;
import io.switchyard.netlink.NetlinkMessage;
import io.switchyard.netlink.TestNamespace;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The nf_tables generation: the request and answer byte for byte, and against this host's kernel
 * in a throwaway namespace, where it must move with every iptables-nft change and only then.
 */
class NftGenerationTest {

    @Test
    void theRequestIsNftsGetgen() {
        NetlinkMessage request = NftGeneration.request();
        assertThat(request.type()).isEqualTo(0x0a10);
        assertThat(request.flags()).isEqualTo(NetlinkMessage.F_REQUEST);
        assertThat(request.payload()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void theAnswerCarriesTheIdBigEndian() {
        NetlinkMessage answer = new MessageWriter(NftGeneration.MSG_NEWGEN, 0).rawU8(0).rawU8(0).rawBe16(0)
                .be32(NftGeneration.NFTA_GEN_ID, 0xfffffffe).u32(2, 4242).build();
        assertThat(NftGeneration.decode(answer)).isEqualTo(0xfffffffeL);
        assertThatThrownBy(() -> NftGeneration.decode(new MessageWriter(NetlinkMessage.MIN_TYPE, 0).build()))
                .isInstanceOf(NetlinkDecodeException.class).hasMessageContaining("not NFT_MSG_NEWGEN");
    }

    @Test
    void movesWithEveryIptablesChangeInTheNamespaceAndOnlyThen() {
        try (TestNamespace ns = new TestNamespace("gen"); NftGeneration generation = NftGeneration.open(ns.path())) {
            ns.sh("iptables", "-t", "nat", "-N", "SY-TEST");
            long before = generation.current();
            assertThat(generation.current()).as("nothing changed").isEqualTo(before);
            ns.sh("iptables", "-t", "nat", "-S");

            assertThat(generation.current()).as("a listing changes nothing").isEqualTo(before);

            ns.sh("iptables", "-t", "nat", "-A", "SY-TEST", "-j", "RETURN");
            long after = generation.current();
            assertThat(after).isGreaterThan(before);
            try (TestNamespace other = new TestNamespace("gen-other")) {
                other.sh("iptables", "-t", "nat", "-N", "SY-ELSEWHERE");
            }
            assertThat(generation.current()).as("another namespace's change").isEqualTo(after);
        }
    }
}
