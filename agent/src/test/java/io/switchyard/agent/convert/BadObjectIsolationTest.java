package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.cli.Switchyard;
import io.switchyard.agent.kernel.KernelTestSupport;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.iptables.RestoreDocument;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.ServiceEndpoints;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.switchyard.agent.convert.KubeObjects.endpoint;
import static io.switchyard.agent.convert.KubeObjects.port;
import static io.switchyard.agent.convert.KubeObjects.service;
import static io.switchyard.agent.convert.KubeObjects.slice;
import static io.switchyard.agent.convert.KubeObjects.slicePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An invalid object among valid ones changes nothing but the problem list: the valid objects'
 * rules are exactly those rendered without it, and {@code dump-rules} reports it and exits 2
 * with a document the kernel accepts (where it used to exit 0 with one the kernel refused).
 */
class BadObjectIsolationTest {

    private static List<V1Service> goodServices() {
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80).nodePort(30080));
        web.getSpec().type("NodePort");
        V1Service api = service("demo", "api", "10.96.0.11", port("https", 443));
        return List.of(web, api);
    }

    private static List<V1EndpointSlice> goodSlices() {
        return List.of(
                slice("demo", "web-abc", "web", "IPv4", List.of(slicePort("http", 8080)),
                        endpoint("10.244.1.11", "node-a"), endpoint("10.244.2.12", "node-b")),
                slice("demo", "api-abc", "api", "IPv4", List.of(slicePort("https", 8443)),
                        endpoint("10.244.1.21", "node-a")));
    }

    /** Each breaks one rule; the last slice claims to be web's, so skipping it whole matters. */
    private static List<V1Service> badServices() {
        V1Service injected = service("demo", "inject", "10.96.0.20", port("x\n-A INPUT -j DROP\n#", 80));
        V1Service spaced = service("de mo", "spaced", "10.96.0.21", port("http", 80));
        V1Service ipv5 = service("demo", "ipv5", "10.96.0.22", port("http", 80));
        ipv5.getSpec().ipFamilies(List.of("IPv5"));
        return List.of(injected, spaced, ipv5);
    }

    private static List<V1EndpointSlice> badSlices() {
        return List.of(slice("demo", "web-mixed", "web", "IPv4", List.of(slicePort("http", 8080)),
                endpoint("10.244.3.13", "node-c"), endpoint("fd00::13", "node-c")));
    }

    @ParameterizedTest
    @EnumSource(IpFamily.class)
    void aBadObjectLeavesTheRulesOfTheGoodOnesExactlyAsWithoutIt(IpFamily family) {
        List<Problem> none = new ArrayList<>();
        String goodOnly = render(family, goodServices(), goodSlices(), none);
        List<V1Service> services = new ArrayList<>(badServices());
        services.addAll(goodServices());
        List<V1EndpointSlice> slices = new ArrayList<>(badSlices());
        slices.addAll(goodSlices());
        List<Problem> problems = new ArrayList<>();

        String mixed = render(family, services, slices, problems);

        assertThat(none).isEmpty();
        assertThat(mixed).isEqualTo(goodOnly);
        assertThat(problems).extracting(Problem::object).containsExactly(
                "Service demo/inject", "Service \"de mo\"/spaced", "Service demo/ipv5", "EndpointSlice demo/web-mixed");
        problems.forEach(ServiceValidationTest::assertOneCleanLine);
        if (family == IpFamily.IPV4) {
            assertThat(goodOnly).contains("-m comment --comment \"demo/web:http cluster IP\"",
                    "-m comment --comment \"demo/api:https cluster IP\"");
        }
    }

    @Test
    void dumpRulesReportsTheBadServiceOnOneLineExitsTwoAndPrintsADocumentTheKernelAccepts(@TempDir Path dir)
            throws IOException {
        KernelTestSupport.requireRootWithIptables();
        Path good = Files.createDirectory(dir.resolve("good"));
        Files.writeString(good.resolve("web.yaml"), WEB);
        Path mixed = Files.createDirectory(dir.resolve("mixed"));
        Files.writeString(mixed.resolve("web.yaml"), WEB);
        Files.writeString(mixed.resolve("bad.yaml"), BAD);

        Run withoutBad = dumpRules(good);
        Run withBad = dumpRules(mixed);

        assertThat(withoutBad.exit()).isZero();
        assertThat(withBad.exit()).isEqualTo(Switchyard.EXIT_INVALID_INPUT);
        assertThat(withBad.err().lines()).containsExactly("switchyard: Service demo/bad: spec.ports[0].name: "
                + "\"x\\n-A INPUT -j DROP\\n#\" is not a valid port name: lowercase letters, digits and '-', "
                + "starting and ending with a letter or digit, at most 63 characters; Service ignored");
        assertThat(withBad.out()).isEqualTo(withoutBad.out()).contains("demo/web:http cluster IP");
        try (NetworkNamespace namespace = new NetworkNamespace()) {
            namespace.createNfacctCounters(IptablesConfig.INVALID_DROP_COUNTER, IptablesConfig.LOCALHOST_NODE_PORT_COUNTER);
            namespace.exec(withBad.out(), "iptables-restore").requireSuccess("iptables-restore");
        }
    }

    private static final String WEB = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: demo}
            spec:
              clusterIP: 10.96.0.10
              clusterIPs: [10.96.0.10]
              ipFamilies: [IPv4]
              ports: [{name: http, port: 80, protocol: TCP}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: demo
              labels: {kubernetes.io/service-name: web}
            addressType: IPv4
            ports: [{name: http, port: 8080, protocol: TCP}]
            endpoints:
            - addresses: [10.244.1.11]
              nodeName: node-a
            """;

    /** The Service of the bug report: a port name that carries its own rule line. */
    private static final String BAD = """
            apiVersion: v1
            kind: Service
            metadata: {name: bad, namespace: demo}
            spec:
              clusterIP: 10.96.0.30
              clusterIPs: [10.96.0.30]
              ipFamilies: [IPv4]
              ports: [{name: "x\\n-A INPUT -j DROP\\n#", port: 80, protocol: TCP}]
            """;

    private record Run(int exit, String out, String err) {
    }

    private static Run dumpRules(Path manifests) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Switchyard.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("dump-rules", "--from", manifests.toString(), "--hostname-override", "node-a",
                        "--cluster-cidr", "10.244.0.0/16");
        return new Run(exit, out.toString(), err.toString());
    }

    private static String render(IpFamily family, List<V1Service> services, List<V1EndpointSlice> slices,
                                 List<Problem> problems) {
        TreeMap<ServicePortName, ServicePort> ports = new TreeMap<>();
        ServiceConverter serviceConverter = new ServiceConverter(family);
        services.forEach(s -> serviceConverter.convert(s, problems).forEach(p -> ports.put(p.name(), p)));
        EndpointSliceConverter sliceConverter = new EndpointSliceConverter(family);
        Map<String, List<EndpointSlice>> byService = new HashMap<>();
        slices.forEach(s -> sliceConverter.convert(s, problems).ifPresent(converted -> byService
                .computeIfAbsent(converted.serviceName(), k -> new ArrayList<>()).add(converted)));
        Map<ServicePortName, List<io.switchyard.rules.model.Endpoint>> endpoints = new HashMap<>();
        byService.forEach((name, list) -> endpoints.putAll(ServiceEndpoints.merge("demo", name, list)));
        LocalNode node = LocalNode.named("node-a");
        IptablesConfig config = IptablesConfig.defaults(family,
                new LocalTrafficDetector.ByCidr(family == IpFamily.IPV4 ? "10.244.0.0/16" : "fd00:244::/48"));
        return RestoreDocument.forEmptyNamespace(new IptablesRenderer(config).render(ClusterState.of(ports, endpoints), node));
    }
}
