package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static io.switchyard.agent.convert.KubeObjects.slicePort;
import static org.assertj.core.api.Assertions.assertThat;

/** EndpointSliceConverter: kube-proxy's EndpointSlice filtering and endpoint conditions. */
class EndpointSliceConverterTest {

    private final List<Problem> problems = new ArrayList<>();

    private Optional<EndpointSlice> v4(V1EndpointSlice slice) {
        return new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems);
    }

    private static V1EndpointSlice webSlice(V1Endpoint... endpoints) {
        return slice("demo", "web-abc", "web", "IPv4", List.of(slicePort("http", 8080)), endpoints);
    }

    @Test
    void convertsASlice() {
        V1Endpoint endpoint = endpoint("10.244.1.11", "node-a").zone("zone-a");

        EndpointSlice converted = v4(webSlice(endpoint)).orElseThrow();

        assertThat(problems).isEmpty();
        assertThat(converted.namespace()).isEqualTo("demo");
        assertThat(converted.name()).isEqualTo("web-abc");
        assertThat(converted.serviceName()).isEqualTo("web");
        assertThat(converted.ports()).containsExactly(new EndpointSlice.Port("http", 8080, Protocol.TCP));
        assertThat(converted.endpoints()).singleElement().satisfies(m -> {
            assertThat(m.ip()).isEqualTo("10.244.1.11");
            assertThat(m.nodeName()).isEqualTo("node-a");
            assertThat(m.zone()).isEqualTo("zone-a");
            assertThat(m.ready()).isTrue();
            assertThat(m.serving()).isTrue();
            assertThat(m.terminating()).isFalse();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"IPv6", "FQDN"})
    void ignoresSlicesOfAnotherAddressType(String addressType) {
        V1EndpointSlice other = slice("demo", "web-x", "web", addressType, List.of(slicePort("http", 8080)),
                endpoint("fd00::1", "node-a"));

        assertThat(v4(other)).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void theIpv6ConverterTakesIpv6SlicesAndCanonicalisesAddresses() {
        V1EndpointSlice v6 = slice("demo", "web-v6", "web", "IPv6", List.of(slicePort("http", 8080)),
                endpoint("FD00:10:244:0:0:0:0:5", "node-a"));

        Optional<EndpointSlice> converted = new EndpointSliceConverter(IpFamily.IPV6).convert(v6, problems);

        assertThat(converted).get().extracting(s -> s.endpoints().getFirst().ip()).isEqualTo("fd00:10:244::5");
        assertThat(v4(v6)).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void usesOnlyTheFirstAddressOfAnEndpoint() {
        V1Endpoint twoAddresses = endpoint("10.244.1.11", "node-a").addresses(List.of("10.244.1.11", "10.244.1.99"));

        assertThat(v4(webSlice(twoAddresses)).orElseThrow().endpoints())
                .extracting(EndpointSlice.Member::ip).containsExactly("10.244.1.11");
    }

    @Test
    void anAddressOfTheOtherFamilySkipsTheWholeSliceAsTheApiServerWouldRefuseIt() {
        V1EndpointSlice mixed = webSlice(
                endpoint("10.244.1.8", "node-a"),
                endpoint("fd00::7", "node-a").addresses(List.of("fd00::7", "10.244.1.7")));

        assertThat(v4(mixed)).isEmpty();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("EndpointSlice demo/web-abc");
            assertThat(p.message()).isEqualTo("endpoints[1].addresses[0]: \"fd00::7\" is not an IPv4 address, "
                    + "as addressType says; EndpointSlice ignored");
        });
    }

    @Test
    void skipsPortsWithoutANumberWithOneProblemAndKeepsTheRest() {
        V1EndpointSlice slice = slice("demo", "web-abc", "web", "IPv4",
                List.of(slicePort("none", null), slicePort("zero", 0), slicePort("http", 8080)),
                endpoint("10.244.1.11", "node-a"));

        assertThat(v4(slice).orElseThrow().ports()).extracting(EndpointSlice.Port::name).containsExactly("http");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("EndpointSlice demo/web-abc");
            assertThat(p.message()).isEqualTo(
                    "ports[0].port: no port number; 2 such ports are ignored, as kube-proxy ignores them");
        });
    }

    @Test
    void aPortWithoutANameOrProtocolTakesTheApiServersDefaults() {
        V1EndpointSlice slice = slice("demo", "web-abc", "web", "IPv4",
                List.of(slicePort(null, 8080).protocol(null)), endpoint("10.244.1.11", "node-a"));

        assertThat(v4(slice).orElseThrow().ports()).containsExactly(new EndpointSlice.Port("", 8080, Protocol.TCP));
        assertThat(problems).isEmpty();
    }

    @Test
    void missingConditionsDefaultToReadyServingNotTerminating() {
        V1Endpoint noConditions = new V1Endpoint().addresses(List.of("10.244.1.1"));
        V1Endpoint emptyConditions = new V1Endpoint().addresses(List.of("10.244.1.2"))
                .conditions(new V1EndpointConditions());

        List<EndpointSlice.Member> members = v4(webSlice(noConditions, emptyConditions)).orElseThrow().endpoints();

        assertThat(members).hasSize(2).allSatisfy(m -> {
            assertThat(m.ready()).isTrue();
            assertThat(m.serving()).isTrue();
            assertThat(m.terminating()).isFalse();
        });
    }

    @Test
    void explicitConditionsAreKept() {
        V1Endpoint terminating = new V1Endpoint().addresses(List.of("10.244.1.3"))
                .conditions(new V1EndpointConditions().ready(false).serving(false).terminating(true));

        EndpointSlice.Member member = v4(webSlice(terminating)).orElseThrow().endpoints().getFirst();

        assertThat(member.ready()).isFalse();
        assertThat(member.serving()).isFalse();
        assertThat(member.terminating()).isTrue();
    }

    @Test
    void readsZoneAndNodeHints() {
        V1Endpoint hinted = endpoint("10.244.1.4", "node-a").hints(new V1EndpointHints()
                .forZones(List.of(new V1ForZone().name("zone-a"), new V1ForZone().name("zone-b")))
                .forNodes(List.of(new V1ForNode().name("node-a"))));
        V1Endpoint plain = endpoint("10.244.1.5", "node-a");

        List<EndpointSlice.Member> members = v4(webSlice(hinted, plain)).orElseThrow().endpoints();

        assertThat(members.get(0).zoneHints()).isEqualTo(Set.of("zone-a", "zone-b"));
        assertThat(members.get(0).nodeHints()).isEqualTo(Set.of("node-a"));
        assertThat(members.get(1).zoneHints()).isEmpty();
        assertThat(members.get(1).nodeHints()).isEmpty();
    }

    @Test
    void aSliceWithoutTheServiceNameLabelIsIgnoredWithAProblem() {
        V1EndpointSlice orphan = slice("demo", "orphan-1", null, "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.1.11", "node-a"));

        assertThat(v4(orphan)).isEmpty();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("EndpointSlice demo/orphan-1");
            assertThat(p.message()).contains(EndpointSliceConverter.SERVICE_NAME_LABEL);
        });
    }
}
