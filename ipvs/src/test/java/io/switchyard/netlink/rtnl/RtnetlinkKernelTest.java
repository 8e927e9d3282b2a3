package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.NetlinkException;
import io.switchyard.netlink.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RtnetlinkInterfaces} against this host's kernel, inside a throwaway namespace, with
 * {@code ip} run in the same namespace as the independent witness. (This kernel has no dummy
 * link type: veth stands in; the dummy link is tested in the VM.)
 */
class RtnetlinkKernelTest {

    private TestNamespace ns;
    private RtnetlinkInterfaces interfaces;

    @BeforeEach
    void open() {
        ns = new TestNamespace("rtnl");
        interfaces = RtnetlinkInterfaces.open(ns.path());
    }

    @AfterEach
    void close() {
        interfaces.close();
        ns.close();
    }

    @Test
    void theSocketLivesInTheNamespace() {
        assertThat(interfaces.links()).extracting(Link::name).containsExactly("lo");
        interfaces.createVethPair("sy0", "sy1");
        assertThat(ns.sh("ip", "-o", "link", "show")).contains("sy0@sy1", "sy1@sy0");
        assertThat(TestNamespace.run("ip", "-o", "link", "show").stdout()).doesNotContain("sy0@sy1");
    }

    @Test
    void linksAreCreatedFoundBroughtUpAndDeleted() {
        interfaces.createVethPair("sy0", "sy1");
        Link link = interfaces.link("sy0").orElseThrow();
        assertThat(link.kind()).isEqualTo("veth");
        assertThat(link.isUp()).isFalse();
        assertThat(link.index()).isPositive();
        assertThat(ns.sh("ip", "-o", "link", "show", "dev", "sy0")).startsWith(link.index() + ": sy0@sy1");

        interfaces.setUp("sy0", true);
        assertThat(interfaces.link("sy0").orElseThrow().isUp()).isTrue();
        assertThat(ns.sh("ip", "-o", "link", "show", "dev", "sy0")).containsPattern("<[^>]*\\bUP\\b");
        interfaces.setUp("sy0", false);
        assertThat(ns.sh("ip", "-o", "link", "show", "dev", "sy0")).doesNotContainPattern("<[^>]*\\bUP\\b");

        assertThat(interfaces.deleteLink("sy0")).isTrue();
        assertThat(interfaces.deleteLink("sy0")).isFalse();
        assertThat(interfaces.link("sy0")).isEmpty();
        assertThat(interfaces.link("sy1")).isEmpty();
        assertThat(ns.sh("ip", "-o", "link", "show")).doesNotContain("sy0", "sy1");
    }

    @Test
    void addressesAreBoundListedAndUnbound() {
        interfaces.createVethPair("sy0", "sy1");
        LinkAddress v4 = LinkAddress.host("198.51.100.7");
        LinkAddress v6 = new LinkAddress("2001:db8::7", 128, LinkAddress.SCOPE_UNIVERSE, LinkAddress.NODAD);

        assertThat(interfaces.addAddress("sy0", v4)).isTrue();
        assertThat(interfaces.addAddress("sy0", v4)).isFalse();
        assertThat(interfaces.addAddress("sy0", v6)).isTrue();
        assertThat(interfaces.addAddress("sy1", new LinkAddress("198.51.100.8", 24, LinkAddress.SCOPE_LINK, 0)))
                .isTrue();
        String witness = ns.sh("ip", "-o", "addr", "show", "dev", "sy0");
        assertThat(witness).contains("inet 198.51.100.7/32 scope global sy0", "inet6 2001:db8::7/128 scope global");

        assertThat(interfaces.addresses("sy0")).extracting(LinkAddress::toString)
                .containsExactlyInAnyOrder("198.51.100.7/32", "2001:db8::7/128");
        assertThat(interfaces.addresses("sy0")).allMatch(a -> a.scope() == LinkAddress.SCOPE_UNIVERSE);
        assertThat(interfaces.addresses("sy1")).singleElement()
                .satisfies(a -> assertThat(a.scope()).isEqualTo(LinkAddress.SCOPE_LINK));
        assertThat(interfaces.allAddresses()).extracting(LinkAddress::toString)
                .contains("198.51.100.7/32", "2001:db8::7/128", "198.51.100.8/24");
        assertThat(interfaces.addresses("nope")).isEmpty();

        assertThat(interfaces.deleteAddress("sy0", v4)).isTrue();
        assertThat(interfaces.deleteAddress("sy0", v4)).isFalse();
        assertThat(interfaces.deleteAddress("sy0", v6)).isTrue();
        assertThat(ns.sh("ip", "-o", "addr", "show", "dev", "sy0")).doesNotContain("198.51.100.7", "2001:db8::7");
        assertThat(interfaces.addresses("sy0")).isEmpty();
    }

    @Test
    void failuresNameTheOperationAndTheErrno() {
        assertThatThrownBy(() -> interfaces.addAddress("nope", LinkAddress.host("198.51.100.7")))
                .isInstanceOf(NetlinkException.class)
                .hasMessage("add address 198.51.100.7/32 to nope: ENODEV (no link named nope)");
        interfaces.createVethPair("sy0", "sy1");
        assertThatThrownBy(() -> interfaces.createVethPair("sy0", "sy2"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.getMessage()).startsWith("create veth pair sy0/sy2: EEXIST");
                });
    }
}
