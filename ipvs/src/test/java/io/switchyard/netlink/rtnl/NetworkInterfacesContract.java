package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.NetlinkException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What any {@link NetworkInterfaces} must do on a fresh namespace, as the kernel does it: run
 * against the kernel ({@link RtnetlinkKernelTest}, with {@code ip} as witness) and against
 * {@link InMemoryNetworkInterfaces}.
 */
public abstract class NetworkInterfacesContract {

    /** The interfaces of a fresh namespace. */
    protected abstract NetworkInterfaces interfaces();

    /** Checks that a link is (or is not) up with an independent tool; a no-op where there is none. */
    protected abstract void witnessUp(String link, boolean up);

    /** Checks a link's addresses ({@code address/prefix}) with an independent tool. */
    protected abstract void witnessAddresses(String link, String... addresses);

    @Test
    void aFreshNamespaceHasOnlyLoopback() {
        assertThat(interfaces().links()).extracting(Link::name).containsExactly("lo");
        assertThat(interfaces().allAddresses()).isEmpty();
    }

    @Test
    void linksAreCreatedFoundBroughtUpAndDeleted() {
        NetworkInterfaces interfaces = interfaces();
        interfaces.createVethPair("sy0", "sy1");
        Link link = interfaces.link("sy0").orElseThrow();
        assertThat(link.kind()).isEqualTo("veth");
        assertThat(link.isUp()).isFalse();
        assertThat(link.index()).isPositive();
        assertThat(interfaces.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "sy0", "sy1");

        interfaces.setUp("sy0", true);
        assertThat(interfaces.link("sy0").orElseThrow().isUp()).isTrue();
        witnessUp("sy0", true);
        interfaces.setUp("sy0", false);
        assertThat(interfaces.link("sy0").orElseThrow().isUp()).isFalse();
        witnessUp("sy0", false);

        assertThat(interfaces.deleteLink("sy0")).isTrue();
        assertThat(interfaces.deleteLink("sy0")).isFalse();
        assertThat(interfaces.link("sy0")).isEmpty();
        assertThat(interfaces.link("sy1")).isEmpty();
    }

    @Test
    void addressesAreBoundListedAndUnbound() {
        NetworkInterfaces interfaces = interfaces();
        interfaces.createVethPair("sy0", "sy1");
        LinkAddress v4 = LinkAddress.host("198.51.100.7");
        LinkAddress v6 = new LinkAddress("2001:db8::7", 128, LinkAddress.SCOPE_UNIVERSE, LinkAddress.NODAD);

        assertThat(interfaces.addAddress("sy0", v4)).isTrue();
        assertThat(interfaces.addAddress("sy0", v4)).isFalse();
        assertThat(interfaces.addAddress("sy0", v6)).isTrue();
        assertThat(interfaces.addAddress("sy1", new LinkAddress("198.51.100.8", 24, LinkAddress.SCOPE_LINK, 0)))
                .isTrue();
        witnessAddresses("sy0", "198.51.100.7/32", "2001:db8::7/128");

        assertThat(interfaces.addresses("sy0")).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.7/32", "2001:db8::7/128");
        assertThat(interfaces.addresses("sy0")).allMatch(a -> a.scope() == LinkAddress.SCOPE_UNIVERSE)
                .allMatch(a -> (a.flags() & LinkAddress.PERMANENT) != 0);
        assertThat(interfaces.addresses("sy1")).singleElement()
                .satisfies(a -> assertThat(a.scope()).isEqualTo(LinkAddress.SCOPE_LINK));
        assertThat(interfaces.allAddresses()).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.7/32", "2001:db8::7/128", "198.51.100.8/24");
        assertThat(interfaces.addresses("nope")).isEmpty();
        java.util.Map<String, java.util.List<LinkAddress>> byLink = interfaces.addressesByLink();
        assertThat(byLink).containsOnlyKeys("lo", "sy0", "sy1");
        assertThat(byLink.get("lo")).isEmpty();
        assertThat(byLink.get("sy0")).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.7/32", "2001:db8::7/128");
        assertThat(byLink.get("sy1")).extracting(LinkAddress::toString).containsExactly("198.51.100.8/24");

        assertThat(interfaces.deleteAddress("sy0", v4)).isTrue();
        assertThat(interfaces.deleteAddress("sy0", v4)).isFalse();
        assertThat(interfaces.deleteAddress("sy0", v6)).isTrue();
        witnessAddresses("sy0");
        assertThat(interfaces.addresses("sy0")).isEmpty();
    }

    @Test
    void failuresNameTheOperationAndTheErrno() {
        NetworkInterfaces interfaces = interfaces();
        assertThatThrownBy(() -> interfaces.addAddress("nope", LinkAddress.host("198.51.100.7")))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("add address 198.51.100.7/32 to nope: ENODEV (no link named nope)");
        assertThatThrownBy(() -> interfaces.setUp("nope", true))
                .hasMessage("set link nope up: ENODEV (no link named nope)");
        interfaces.createVethPair("sy0", "sy1");
        assertThatThrownBy(() -> interfaces.createVethPair("sy0", "sy2"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.getMessage()).startsWith("create veth pair sy0/sy2: EEXIST");
                });
    }
}
