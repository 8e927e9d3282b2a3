package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1ClientIPConfig;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.openapi.models.V1SessionAffinityConfig;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.ServicePort;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static io.switchyard.agent.convert.KubeObjects.port;
import static io.switchyard.agent.convert.KubeObjects.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The API server's rules for the Service fields the proxy reads, one row each: a Service that
 * breaks one is skipped by both families' converters with exactly one problem line that names
 * the Service and the field; a Service the API server accepts is converted.
 */
class ServiceValidationTest {

    /** A valid dual-stack NodePort Service with two named ports: each row breaks one thing. */
    private static V1Service web() {
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80).nodePort(30080),
                port("metrics", 9090).nodePort(30090));
        web.getSpec().type("NodePort")
                .clusterIPs(new ArrayList<>(List.of("10.96.0.10", "fd00::10")))
                .ipFamilies(new ArrayList<>(List.of("IPv4", "IPv6")))
                .ipFamilyPolicy("RequireDualStack");
        web.getSpec().setPorts(new ArrayList<>(web.getSpec().getPorts()));
        return web;
    }

    private static V1Service loadBalancer(Consumer<V1Service> change) {
        V1Service lb = web();
        lb.getSpec().type("LoadBalancer").externalTrafficPolicy("Local").healthCheckNodePort(32000);
        lb.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(new ArrayList<>(List.of(
                new V1LoadBalancerIngress().ip("192.0.2.10").ipMode("VIP"))))));
        change.accept(lb);
        return lb;
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                row("metadata.name", s -> s.getMetadata().name(null)),
                row("metadata.name", s -> s.getMetadata().name("Web")),
                row("metadata.name", s -> s.getMetadata().name("web_1")),
                row("metadata.name", s -> s.getMetadata().name("-web")),
                row("metadata.name", s -> s.getMetadata().name("web.v1")),
                row("metadata.name", s -> s.getMetadata().name("w".repeat(64))),
                row("metadata.namespace", s -> s.getMetadata().namespace("de mo")),
                row("metadata.namespace", s -> s.getMetadata().namespace("x\n-A INPUT -j DROP\n#")),
                row("spec", s -> s.spec(null)),
                row("spec.type", s -> s.getSpec().type("nodeport")),
                row("spec.ipFamilies[1]", s -> s.getSpec().getIpFamilies().set(1, "IPv5")),
                row("spec.ipFamilies[1]", s -> s.getSpec().getIpFamilies().set(1, "IPv4")),
                row("spec.ipFamilyPolicy", s -> s.getSpec().ipFamilyPolicy("DualStack")),
                row("spec.clusterIPs[0]", s -> s.getSpec().clusterIP("10.96.0.11")),
                row("spec.clusterIPs[1]", s -> s.getSpec().getClusterIPs().set(1, "10.96.0.12")),
                row("spec.clusterIPs[1]", s -> s.getSpec().getClusterIPs().set(1, "fd00::999999")),
                row("spec.clusterIPs[0]", s -> s.getSpec().clusterIP(" 10.96.0.10").getClusterIPs().set(0, " 10.96.0.10")),
                row("spec.clusterIPs[0]", s -> s.getSpec().ipFamilies(new ArrayList<>(List.of("IPv6", "IPv4")))),
                row("spec.clusterIPs", s -> s.getSpec().getClusterIPs().add("10.96.0.13")),
                row("spec.clusterIPs", s -> s.getSpec().clusterIP("None").getClusterIPs().set(0, "None")),
                row("spec.clusterIP", s -> s.getSpec().clusterIPs(null).ipFamilies(null).clusterIP("10.96.0.999")),
                row("spec.ports", s -> s.getSpec().ports(new ArrayList<>())),
                row("spec.ports[1].name", s -> s.getSpec().getPorts().get(1).name(null)),
                row("spec.ports[1].name", s -> s.getSpec().getPorts().get(1).name("http")),
                row("spec.ports[0].name", s -> s.getSpec().getPorts().get(0).name("HTTP")),
                row("spec.ports[0].name", s -> s.getSpec().getPorts().get(0).name("x\n-A INPUT -j DROP\n#")),
                row("spec.ports[0].name", s -> s.getSpec().getPorts().get(0).name("p".repeat(64))),
                row("spec.ports[0].port", s -> s.getSpec().getPorts().get(0).port(0)),
                row("spec.ports[0].port", s -> s.getSpec().getPorts().get(0).port(65536)),
                row("spec.ports[0].port", s -> s.getSpec().getPorts().get(0).port(null)),
                row("spec.ports[0].protocol", s -> s.getSpec().getPorts().get(0).protocol("tcp")),
                row("spec.ports[0].protocol", s -> s.getSpec().getPorts().get(0).protocol("ICMP")),
                row("spec.ports[1]", s -> s.getSpec().getPorts().get(1).port(80)),
                row("spec.ports[0].nodePort", s -> s.getSpec().getPorts().get(0).nodePort(70000)),
                row("spec.ports[0].nodePort", s -> s.getSpec().getPorts().get(0).nodePort(-1)),
                row("spec.ports[1].nodePort", s -> s.getSpec().getPorts().get(1).nodePort(30080)),
                row("spec.ports[0].nodePort", s -> s.getSpec().type("ClusterIP")),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("1.2.3"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("192.0.2.1 "))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("127.0.0.1"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("0.0.0.0"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("169.254.1.1"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("224.0.0.5"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("::1"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("fe80::1"))),
                row("spec.externalIPs[0]", s -> s.getSpec().externalIPs(List.of("ff02::1"))),
                row("spec.loadBalancerSourceRanges[0]", s -> s.getSpec().loadBalancerSourceRanges(List.of("10.0.0.0/33"))),
                row("spec.loadBalancerSourceRanges[0]", s -> s.getSpec().loadBalancerSourceRanges(List.of("10.0.0.0"))),
                row("spec.sessionAffinity", s -> s.getSpec().sessionAffinity("Sticky")),
                row("spec.sessionAffinityConfig.clientIP.timeoutSeconds", s -> s.getSpec().sessionAffinity("ClientIP")
                        .sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(0)))),
                row("spec.sessionAffinityConfig.clientIP.timeoutSeconds", s -> s.getSpec().sessionAffinity("ClientIP")
                        .sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(86401)))),
                row("spec.externalTrafficPolicy", s -> s.getSpec().externalTrafficPolicy("Global")),
                row("spec.internalTrafficPolicy", s -> s.getSpec().internalTrafficPolicy("local")),
                row("spec.healthCheckNodePort", s -> s.getSpec().type("LoadBalancer").externalTrafficPolicy("Local")),
                rowOf("spec.healthCheckNodePort", loadBalancer(s -> s.getSpec().healthCheckNodePort(70000))),
                rowOf("status.loadBalancer.ingress[0].ip", loadBalancer(s -> ingress(s).ip("192.0.2.300"))),
                rowOf("status.loadBalancer.ingress[0].ipMode", loadBalancer(s -> ingress(s).ipMode("Tunnel"))),
                rowOf("status.loadBalancer.ingress[0].ipMode", loadBalancer(s -> ingress(s).ip(null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aServiceTheApiServerRefusesIsSkippedWithOneProblemNamingItAndTheField(String field, V1Service service) {
        List<Problem> problems = new ArrayList<>();

        assertThat(new ServiceConverter(IpFamily.IPV4).convert(service, problems)).isEmpty();
        assertThat(new ServiceConverter(IpFamily.IPV6).convert(service, problems)).isEmpty();

        assertThat(problems).hasSize(2).allSatisfy(p -> {
            assertThat(p.object()).startsWith("Service ").contains("/");
            assertThat(p.message()).startsWith(field + ": ").endsWith("; Service ignored");
            assertOneCleanLine(p);
        });
        assertThat(problems.get(0)).isEqualTo(problems.get(1));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                row("a name that starts with a digit (relaxed Service names)", s -> s.getMetadata().name("1web")),
                row("a numeric port name", s -> s.getSpec().getPorts().get(1).name("9090")),
                row("a 63-character port name", s -> s.getSpec().getPorts().get(1).name("p".repeat(63))),
                row("no type, protocol, affinity or policies (API defaults)", s -> {
                    s.getSpec().type(null).externalTrafficPolicy(null).internalTrafficPolicy(null).sessionAffinity(null);
                    s.getSpec().getPorts().forEach(p -> p.protocol(null).nodePort(null));
                }),
                row("ClientIP affinity without a timeout (API default)", s -> s.getSpec().sessionAffinity("ClientIP")),
                row("clusterIP without clusterIPs", s -> s.getSpec().clusterIPs(null)),
                row("clusterIPs without clusterIP", s -> s.getSpec().clusterIP(null)),
                row("an IPv4 address with leading zeros (read as decimal, as kube-proxy does)",
                        s -> s.getSpec().clusterIP("010.096.000.010").getClusterIPs().set(0, "010.096.000.010")),
                row("source ranges padded with spaces", s -> s.getSpec().loadBalancerSourceRanges(List.of(" 203.0.113.0/24 "))),
                row("an externalTrafficPolicy on an internal Service (ignored)", s -> s.getSpec().type("ClusterIP")
                        .externalTrafficPolicy("Local").getPorts().forEach(p -> p.nodePort(null))),
                row("a healthCheckNodePort that is not needed (ignored)", s -> s.getSpec().healthCheckNodePort(32000)),
                row("affinity config with affinity None (ignored)", s -> s.getSpec().sessionAffinity("None")
                        .sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(5)))),
                rowOf("a LoadBalancer with eTP Local and its health check port", loadBalancer(s -> { })),
                rowOf("a Proxy-mode ingress IP (used for nothing)", loadBalancer(s -> ingress(s).ipMode("Proxy"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void aServiceTheApiServerAcceptsIsConverted(String what, V1Service service) {
        List<Problem> problems = new ArrayList<>();

        List<ServicePort> ports = new ServiceConverter(IpFamily.IPV4).convert(service, problems);

        assertThat(problems).isEmpty();
        assertThat(ports).hasSize(2);
    }

    static void assertOneCleanLine(Problem problem) {
        String line = problem.toString();
        assertThat(line).doesNotContain("\n", "\r", "\0", "Exception", "java.", "io.switchyard", "null");
        assertThat(line.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
        assertThat(line.length()).isLessThan(400);
    }

    private static Arguments row(String field, Consumer<V1Service> change) {
        V1Service service = web();
        change.accept(service);
        return arguments(field, service);
    }

    private static Arguments rowOf(String field, V1Service service) {
        return arguments(field, service);
    }

    private static V1LoadBalancerIngress ingress(V1Service service) {
        return service.getStatus().getLoadBalancer().getIngress().getFirst();
    }
}
