package io.switchyard.netlink.rtnl;

import io.switchyard.netlink.TestNamespace;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RtnetlinkInterfaces} against this host's kernel, inside a throwaway namespace, with
 * {@code ip} run in the same namespace as the independent witness. (This kernel has no dummy
 * link type: veth stands in; the dummy link is tested in the VM, {@link DummyLinkKernelTest}.)
 */
class RtnetlinkKernelTest extends NetworkInterfacesContract {

    private static final Pattern INET = Pattern.compile("\\binet6? (\\S+)");

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

    @Override
    protected NetworkInterfaces interfaces() {
        return interfaces;
    }

    @Override
    protected void witnessUp(String link, boolean up) {
        String line = ns.sh("ip", "-o", "link", "show", "dev", link);
        assertThat(Pattern.compile("<[^>]*\\bUP\\b").matcher(line).find()).as(line).isEqualTo(up);
    }

    @Override
    protected void witnessAddresses(String link, String... addresses) {
        Matcher m = INET.matcher(ns.sh("ip", "-o", "addr", "show", "dev", link));
        java.util.List<String> shown = new java.util.ArrayList<>();
        while (m.find()) {
            shown.add(m.group(1));
        }
        assertThat(shown).containsExactlyInAnyOrderElementsOf(Arrays.asList(addresses));
    }

    @Test
    void theSocketLivesInTheNamespace() {
        interfaces.createVethPair("sy0", "sy1");
        assertThat(ns.sh("ip", "-o", "link", "show")).contains("sy0@sy1", "sy1@sy0");
        assertThat(TestNamespace.run("ip", "-o", "link", "show").stdout()).doesNotContain("sy0@sy1");
        assertThat(ns.sh("ip", "-o", "link", "show", "dev", "sy0"))
                .startsWith(interfaces.link("sy0").orElseThrow().index() + ": sy0@sy1");
    }
}
