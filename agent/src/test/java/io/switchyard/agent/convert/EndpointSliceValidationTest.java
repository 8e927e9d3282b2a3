package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static io.switchyard.agent.convert.KubeObjects.slicePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The API server's rules for the EndpointSlice fields the proxy reads, one row each: a slice
 * that breaks one is skipped by both families' converters (whichever family it is of) with
 * exactly one problem line naming the slice and the field.
 */
class EndpointSliceValidationTest {

    /** A valid IPv4 slice of Service demo/web: two named ports, two endpoints with hints. */
    private static V1EndpointSlice webSlice() {
        V1Endpoint first = endpoint("10.244.1.11", "node-a").zone("zone-a").hints(new V1EndpointHints()
                .forZones(new ArrayList<>(List.of(new V1ForZone().name("zone-a"))))
                .forNodes(new ArrayList<>(List.of(new V1ForNode().name("node-a")))));
        first.addresses(new ArrayList<>(first.getAddresses()));
        return slice("demo", "web-abc12", "web", "IPv4",
                new ArrayList<>(List.of(slicePort("http", 8080), slicePort("metrics", 9090))),
                first, endpoint("10.244.2.12", "node-b").zone("zone-b"));
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                row("metadata.name", s -> s.getMetadata().name(null)),
                row("metadata.name", s -> s.getMetadata().name("Web-ABC")),
                row("metadata.name", s -> s.getMetadata().name("web..abc")),
                row("metadata.name", s -> s.getMetadata().name("web abc")),
                row("metadata.namespace", s -> s.getMetadata().namespace("de_mo")),
                row("metadata.labels[kubernetes.io/service-name]",
                        s -> s.getMetadata().putLabelsItem(EndpointSliceConverter.SERVICE_NAME_LABEL, "web_1")),
                row("metadata.labels[kubernetes.io/service-name]",
                        s -> s.getMetadata().putLabelsItem(EndpointSliceConverter.SERVICE_NAME_LABEL, "x\"y")),
                row("addressType", s -> s.addressType(null)),
                row("addressType", s -> s.addressType("ipv4")),
                row("addressType", s -> s.addressType("IPv5")),
                row("ports[0].name", s -> s.getPorts().get(0).name("HTTP")),
                row("ports[0].name", s -> s.getPorts().get(0).name("x\n-A INPUT -j DROP\n#")),
                row("ports[1].name", s -> s.getPorts().get(1).name("http")),
                row("ports[0].protocol", s -> s.getPorts().get(0).protocol("tcp")),
                row("ports[0].port", s -> s.getPorts().get(0).port(70000)),
                row("ports[0].port", s -> s.getPorts().get(0).port(-1)),
                row("endpoints[0].addresses", s -> s.getEndpoints().get(0).addresses(new ArrayList<>())),
                row("endpoints[0].addresses[0]", s -> s.getEndpoints().get(0).getAddresses().set(0, "10.244.1.999")),
                row("endpoints[0].addresses[0]", s -> s.getEndpoints().get(0).getAddresses().set(0, "fd00::11")),
                row("endpoints[0].addresses[0]", s -> s.getEndpoints().get(0).getAddresses().set(0, "127.0.0.1")),
                row("endpoints[0].addresses[0]", s -> s.getEndpoints().get(0).getAddresses().set(0, "0.0.0.0")),
                row("endpoints[0].addresses[1]", s -> s.getEndpoints().get(0).getAddresses().add("10.0.0.1\n")),
                row("endpoints[1].nodeName", s -> s.getEndpoints().get(1).nodeName("Node B")),
                row("endpoints[1].zone", s -> s.getEndpoints().get(1).zone("zone b")),
                row("endpoints[0].hints.forZones[0].name",
                        s -> s.getEndpoints().get(0).getHints().getForZones().get(0).name("-zone")),
                row("endpoints[0].hints.forNodes[0].name",
                        s -> s.getEndpoints().get(0).getHints().getForNodes().get(0).name("Node_A")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aSliceTheApiServerRefusesIsSkippedWithOneProblemNamingItAndTheField(String field, V1EndpointSlice slice) {
        List<Problem> problems = new ArrayList<>();

        assertThat(new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems)).isEmpty();
        assertThat(new EndpointSliceConverter(IpFamily.IPV6).convert(slice, problems)).isEmpty();

        assertThat(problems).hasSize(2).allSatisfy(p -> {
            assertThat(p.object()).startsWith("EndpointSlice ").contains("/");
            assertThat(p.message()).startsWith(field + ": ").endsWith("; EndpointSlice ignored");
            ServiceValidationTest.assertOneCleanLine(p);
        });
        assertThat(problems.get(0)).isEqualTo(problems.get(1));
    }

    @Test
    void aValidSliceConvertsWithoutProblems() {
        List<Problem> problems = new ArrayList<>();

        Optional<EndpointSlice> converted = new EndpointSliceConverter(IpFamily.IPV4).convert(webSlice(), problems);

        assertThat(problems).isEmpty();
        assertThat(converted).get().satisfies(s -> {
            assertThat(s.ports()).hasSize(2);
            assertThat(s.endpoints()).hasSize(2);
        });
    }

    @Test
    void anInvalidPortNameIsQuotedSafelyInTheProblem() {
        V1EndpointSlice slice = webSlice();
        slice.getPorts().get(0).name("x\n-A INPUT -j DROP\n#");
        List<Problem> problems = new ArrayList<>();

        new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems);

        assertThat(problems).singleElement().hasToString("EndpointSlice demo/web-abc12: ports[0].name: "
                + "\"x\\n-A INPUT -j DROP\\n#\" is not a valid port name: lowercase letters, digits and '-', "
                + "starting and ending with a letter or digit, at most 63 characters; EndpointSlice ignored");
    }

    @Test
    void anInvalidNameIsQuotedInTheObjectItNames() {
        V1EndpointSlice slice = webSlice();
        slice.getMetadata().name("web\nabc").namespace("de mo");
        List<Problem> problems = new ArrayList<>();

        new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems);

        assertThat(problems).singleElement().extracting(Problem::object)
                .isEqualTo("EndpointSlice \"de mo\"/\"web\\nabc\"");
    }

    @Test
    void aSliceWithAZeroPortKeepsItsOtherPortsWithOneProblem() {
        V1EndpointSlice slice = webSlice();
        slice.getPorts().get(1).port(0);
        List<Problem> problems = new ArrayList<>();

        Optional<EndpointSlice> converted = new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems);

        assertThat(converted).get().extracting(s -> s.ports().size()).isEqualTo(1);
        assertThat(problems).singleElement().hasToString("EndpointSlice demo/web-abc12: ports[1].port: no port number; "
                + "that port is ignored, as kube-proxy ignores them");
    }

    @Test
    void anFqdnSliceIsIgnoredSilently() {
        V1EndpointSlice slice = webSlice().addressType("FQDN");
        slice.getEndpoints().get(0).getAddresses().set(0, "web.example.com");
        List<Problem> problems = new ArrayList<>();

        assertThat(new EndpointSliceConverter(IpFamily.IPV4).convert(slice, problems)).isEmpty();
        assertThat(problems).isEmpty();
    }

    private static Arguments row(String field, Consumer<V1EndpointSlice> change) {
        V1EndpointSlice slice = webSlice();
        change.accept(slice);
        return arguments(field, slice);
    }
}
