package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.switchyard.rules.model.LocalNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * NodeConverter: the local Node's addresses (InternalIP first), pod CIDRs and zone; a bad
 * value is left out with one problem for the Node, and the rest of the Node is kept.
 */
class NodeConverterTest {

    private final List<Problem> problems = new ArrayList<>();

    private static V1Node node(String... internalIps) {
        List<V1NodeAddress> addresses = new ArrayList<>();
        for (String ip : internalIps) {
            addresses.add(new V1NodeAddress().type("InternalIP").address(ip));
        }
        addresses.add(new V1NodeAddress().type("ExternalIP").address("203.0.113.7"));
        addresses.add(new V1NodeAddress().type("Hostname").address("node-a"));
        return new V1Node()
                .metadata(new V1ObjectMeta().name("node-a")
                        .labels(new HashMap<>(Map.of(LocalNode.ZONE_LABEL, "zone-a", "kubernetes.io/os", "linux"))))
                .spec(new V1NodeSpec().podCIDRs(new ArrayList<>(List.of("10.244.1.0/24", "fd00:244:1::/64"))))
                .status(new V1NodeStatus().addresses(addresses));
    }

    @Test
    void convertsAValidNodeWithoutProblems() {
        LocalNode node = NodeConverter.convert(node("10.0.0.10", "FD00:0:0:0::10"), problems);

        assertThat(problems).isEmpty();
        assertThat(node.name()).isEqualTo("node-a");
        assertThat(node.addresses()).containsExactly("10.0.0.10", "fd00::10", "203.0.113.7");
        assertThat(node.podCidrs()).containsExactly("10.244.1.0/24", "fd00:244:1::/64");
        assertThat(node.zone()).isEqualTo("zone-a");
    }

    @Test
    void anInternalIpThatIsNotAnAddressIsLeftOutWithOneProblem() {
        LocalNode node = NodeConverter.convert(node("999.1.1.1", "10.0.0.10"), problems);

        assertThat(node.addresses()).containsExactly("10.0.0.10", "203.0.113.7");
        assertThat(problems).singleElement().hasToString(
                "Node node-a: status.addresses[0].address: \"999.1.1.1\" is not a valid IP address; left out");
    }

    @Test
    void severalBadValuesGiveOneProblemThatCountsTheOthers() {
        V1Node bad = node("999.1.1.1", "10.0.0.10 ");
        bad.getSpec().getPodCIDRs().set(0, "10.244.1.0/33");
        bad.getMetadata().putLabelsItem(LocalNode.ZONE_LABEL, "zone a");

        LocalNode node = NodeConverter.convert(bad, problems);

        assertThat(node.addresses()).containsExactly("203.0.113.7");
        assertThat(node.podCidrs()).containsExactly("fd00:244:1::/64");
        assertThat(node.zone()).isEmpty();
        assertThat(node.labels()).containsEntry("kubernetes.io/os", "linux");
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("Node node-a");
            assertThat(p.message()).startsWith("metadata.labels[topology.kubernetes.io/zone]: \"zone a\" is not a valid label value")
                    .endsWith("; left out (and 3 more)");
            ServiceValidationTest.assertOneCleanLine(p);
        });
    }

    @Test
    void theLegacyPodCidrFieldIsReadWhenPodCidrsIsEmpty() {
        V1Node legacy = node("10.0.0.10");
        legacy.spec(new V1NodeSpec().podCIDR("not/a/cidr"));

        LocalNode node = NodeConverter.convert(legacy, problems);

        assertThat(node.podCidrs()).isEmpty();
        assertThat(problems).singleElement().extracting(Problem::message)
                .isEqualTo("spec.podCIDR: \"not/a/cidr\" is not a valid CIDR; left out");
    }

    @Test
    void anInvalidNodeNameIsReportedQuotedAndKeptForComparison() {
        V1Node odd = node("10.0.0.10");
        odd.getMetadata().name("Node A");

        LocalNode node = NodeConverter.convert(odd, problems);

        assertThat(node.name()).isEqualTo("Node A");
        assertThat(problems).singleElement().hasToString("Node \"Node A\": metadata.name: \"Node A\" is not a valid "
                + "node name: lowercase letters, digits, '-' and '.', at most 253 characters");
    }
}
