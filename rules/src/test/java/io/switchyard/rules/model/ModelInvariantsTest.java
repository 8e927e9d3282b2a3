package io.switchyard.rules.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The rules model cannot hold anything that would not render as one word: names are DNS
 * labels, addresses canonical IP literals, whatever the caller forgot to check.
 */
class ModelInvariantsTest {

    private static final String[] HOSTILE = {"a b", "Web", "x\n-A INPUT -j DROP\n#", "web\"", "", "-web", "web_1"};

    @ParameterizedTest
    @ValueSource(strings = {"a b", "Web", "x\n-A INPUT -j DROP\n#", "web\"", "", "-web", "web_1", "wéb"})
    void aServicePortNameHoldsOnlyDnsLabels(String bad) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ServicePortName(bad, "web", "http", Protocol.TCP));
        assertThatIllegalArgumentException().isThrownBy(() -> new ServicePortName("demo", bad, "http", Protocol.TCP));
        if (!bad.isEmpty()) {
            assertThatIllegalArgumentException().isThrownBy(() -> new ServicePortName("demo", "web", bad, Protocol.TCP))
                    .withMessageNotContaining("\n");
        }
    }

    @Test
    void anUnnamedPortIsAllowed() {
        assertThat(new ServicePortName("demo", "web", null, Protocol.TCP)).hasToString("demo/web");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.01", " 10.0.0.1", "10.0.0.1 -j DROP", "FD00::1", "::ffff:10.0.0.1", "x", ""})
    void addressesAreCanonicalIpLiterals(String bad) {
        ServicePortName name = new ServicePortName("demo", "web", "http", Protocol.TCP);
        assertThatIllegalArgumentException().isThrownBy(() -> Endpoint.ready(bad, 80, "node-a", "zone-a"));
        assertThatIllegalArgumentException().isThrownBy(() -> new ServicePort(name, bad, 80, 0, List.of(), List.of(),
                List.of(), 0, SessionAffinity.NONE, false, false));
        assertThatIllegalArgumentException().isThrownBy(() -> new ServicePort(name, "10.96.0.1", 80, 0, List.of(bad),
                List.of(), List.of(), 0, SessionAffinity.NONE, false, false));
        assertThatIllegalArgumentException().isThrownBy(() -> new ServicePort(name, "10.96.0.1", 80, 0, List.of(),
                List.of(bad), List.of(), 0, SessionAffinity.NONE, false, false));
        assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice.Member(bad, "node-a", "zone-a",
                true, true, false, Set.of(), Set.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalNode("node-a", Map.of(), List.of(bad), List.of()));
    }

    @Test
    void anEndpointSliceHoldsValidNamesAndPorts() {
        for (String bad : HOSTILE) {
            assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice(bad, "web-abc", "web", List.of(), List.of()));
            assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice("demo", "web-abc", bad, List.of(), List.of()));
            if (!bad.isEmpty()) {
                assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice.Port(bad, 80, Protocol.TCP));
            }
        }
        assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice("demo", "web abc", "web", List.of(), List.of()));
        assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice.Port("http", 0, Protocol.TCP));
        assertThatIllegalArgumentException().isThrownBy(() -> new EndpointSlice.Port("http", 65536, Protocol.TCP));
        assertThat(new EndpointSlice("demo", "web-abc.v1", "web", List.of(new EndpointSlice.Port(null, 80, Protocol.TCP)),
                List.of()).ports().getFirst().name()).isEmpty();
    }

    @Test
    void aLocalNodeHoldsValidPodCidrs() {
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalNode("node-a", Map.of(), List.of(),
                List.of("10.244.0.0/33")));
        assertThat(new LocalNode("any name at all", Map.of(), List.of("10.0.0.1"), List.of("10.244.0.0/24")).name())
                .isEqualTo("any name at all");
    }
}
