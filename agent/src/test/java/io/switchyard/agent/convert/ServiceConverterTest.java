package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1ClientIPConfig;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.openapi.models.V1SessionAffinityConfig;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static io.switchyard.agent.convert.KubeObjects.port;
import static io.switchyard.agent.convert.KubeObjects.service;
import static org.assertj.core.api.Assertions.assertThat;

/** ServiceConverter: kube-proxy's Service filtering and per-family reduction. */
class ServiceConverterTest {

    private final List<Problem> problems = new ArrayList<>();

    private List<ServicePort> v4(V1Service service) {
        return new ServiceConverter(IpFamily.IPV4).convert(service, problems);
    }

    private List<ServicePort> v6(V1Service service) {
        return new ServiceConverter(IpFamily.IPV6).convert(service, problems);
    }

    @Test
    void convertsAServicePort() {
        V1Service web = service("demo", "web", "10.96.0.10", port("http", 80).protocol("UDP").nodePort(30080));
        web.getSpec().type("NodePort");

        List<ServicePort> ports = v4(web);

        assertThat(problems).isEmpty();
        assertThat(ports).singleElement().satisfies(p -> {
            assertThat(p.name()).isEqualTo(new ServicePortName("demo", "web", "http", Protocol.UDP));
            assertThat(p.name()).hasToString("demo/web:http");
            assertThat(p.clusterIP()).isEqualTo("10.96.0.10");
            assertThat(p.port()).isEqualTo(80);
            assertThat(p.nodePort()).isEqualTo(30080);
            assertThat(p.sessionAffinity()).isEqualTo(SessionAffinity.NONE);
            assertThat(p.externalPolicyLocal()).isFalse();
            assertThat(p.internalPolicyLocal()).isFalse();
            assertThat(p.healthCheckNodePort()).isZero();
        });
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = "None")
    void skipsServicesWithoutAClusterIp(String clusterIp) {
        V1Service db = service("demo", "db", "10.96.0.20", port("pg", 5432));
        db.getSpec().clusterIP(clusterIp).clusterIPs(clusterIp == null ? null : List.of(clusterIp));

        assertThat(v4(db)).isEmpty();
        assertThat(v6(db)).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void skipsExternalNameServicesEvenWithAClusterIp() {
        V1Service docs = service("demo", "docs", "10.96.0.30", port("http", 80));
        docs.getSpec().type("ExternalName").externalName("docs.example.com");

        assertThat(v4(docs)).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void skipsServicesWithNoClusterIpOfTheFamily() {
        V1Service v6only = service("demo", "v6", "fd00::10", port("http", 80));

        assertThat(v4(v6only)).isEmpty();
        assertThat(v6(v6only)).extracting(ServicePort::clusterIP).containsExactly("fd00::10");
        assertThat(problems).isEmpty();
    }

    @Test
    void picksTheClusterIpOfTheFamilyFromADualStackService() {
        V1Service dual = service("demo", "dual", "fd00::50", port("http", 80));
        dual.getSpec().ipFamilies(List.of("IPv6", "IPv4")).clusterIPs(List.of("fd00::50", "10.96.0.50"));

        assertThat(v4(dual)).extracting(ServicePort::clusterIP).containsExactly("10.96.0.50");
        assertThat(v6(dual)).extracting(ServicePort::clusterIP).containsExactly("fd00::50");
        assertThat(problems).isEmpty();
    }

    @Test
    void withoutIpFamiliesUsesTheClusterIpsOwnFamilyAndCanonicalisesIt() {
        V1Service legacy = service("demo", "legacy", "fd00:0:0:0::0:60", port("http", 80));
        legacy.getSpec().ipFamilies(null).clusterIPs(null);

        assertThat(v4(legacy)).isEmpty();
        assertThat(v6(legacy)).extracting(ServicePort::clusterIP).containsExactly("fd00::60");

        V1Service legacy4 = service("demo", "legacy4", "10.96.0.61", port("http", 80));
        legacy4.getSpec().ipFamilies(List.of()).clusterIPs(null);
        assertThat(v4(legacy4)).extracting(ServicePort::clusterIP).containsExactly("10.96.0.61");
        assertThat(v6(legacy4)).isEmpty();
        assertThat(problems).isEmpty();
    }

    @Test
    void ignoresExternalIpsAndSourceRangesOfTheOtherFamily() {
        V1Service lb = service("demo", "lb", "10.96.0.70", port("http", 80));
        lb.getSpec().type("LoadBalancer")
                .externalIPs(List.of("192.0.2.1", "2001:db8::1"))
                .loadBalancerSourceRanges(List.of("203.0.113.0/24", "2001:db8:1::/48"));

        ServicePort p = v4(lb).getFirst();

        assertThat(p.externalIPs()).containsExactly("192.0.2.1");
        assertThat(p.loadBalancerSourceRanges()).containsExactly(Cidr.parse("203.0.113.0/24"));
        assertThat(problems).isEmpty();
    }

    @Test
    void usesLoadBalancerIngressIpsOnlyInVipModeAndOfTheFamily() {
        V1Service lb = service("demo", "lb", "10.96.0.71", port("http", 80));
        lb.getSpec().type("LoadBalancer");
        lb.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(List.of(
                new V1LoadBalancerIngress().ip("192.0.2.10"),
                new V1LoadBalancerIngress().ip("192.0.2.11").ipMode("VIP"),
                new V1LoadBalancerIngress().ip("192.0.2.12").ipMode("Proxy"),
                new V1LoadBalancerIngress().hostname("lb.example.com"),
                new V1LoadBalancerIngress().ip("2001:db8::5")))));

        assertThat(v4(lb).getFirst().loadBalancerVIPs()).containsExactly("192.0.2.10", "192.0.2.11");
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest(name = "type {0}, eTP {1} -> healthCheckNodePort {2}")
    @CsvSource({
            "LoadBalancer, Local, 32100",
            "LoadBalancer, Cluster, 0",
            "NodePort, Local, 0",
            "ClusterIP, Local, 0"})
    void healthCheckNodePortOnlyForLoadBalancersWithLocalPolicy(String type, String policy, int expected) {
        V1Service svc = service("demo", "hc", "10.96.0.72", port("http", 80).nodePort(type.equals("ClusterIP") ? null : 30080));
        svc.getSpec().type(type).externalTrafficPolicy(policy).healthCheckNodePort(32100);

        assertThat(v4(svc).getFirst().healthCheckNodePort()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "type {0}, externalIPs {1} -> externalPolicyLocal {2}")
    @CsvSource({
            "ClusterIP, false, false",
            "ClusterIP, true, true",
            "NodePort, false, true",
            "LoadBalancer, false, true"})
    void externalPolicyLocalCountsOnlyWhenExternallyAccessible(String type, boolean externalIps, boolean expected) {
        V1Service svc = service("demo", "etp", "10.96.0.73", port("http", 80));
        svc.getSpec().type(type).externalTrafficPolicy("Local").healthCheckNodePort(32100);
        if (externalIps) {
            svc.getSpec().externalIPs(List.of("192.0.2.30"));
        }

        assertThat(v4(svc).getFirst().externalPolicyLocal()).isEqualTo(expected);
    }

    @Test
    void internalTrafficPolicyLocal() {
        V1Service svc = service("demo", "itp", "10.96.0.74", port("http", 80));
        svc.getSpec().internalTrafficPolicy("Local");

        assertThat(v4(svc).getFirst().internalPolicyLocal()).isTrue();
    }

    @Test
    void clientIpAffinityTakesTheConfiguredTimeoutOrTheDefault() {
        V1Service configured = service("demo", "a", "10.96.0.75", port("http", 80));
        configured.getSpec().sessionAffinity("ClientIP")
                .sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(600)));
        V1Service defaulted = service("demo", "b", "10.96.0.76", port("http", 80));
        defaulted.getSpec().sessionAffinity("ClientIP");
        V1Service none = service("demo", "c", "10.96.0.77", port("http", 80));
        none.getSpec().sessionAffinity("None");

        assertThat(v4(configured).getFirst().sessionAffinity()).isEqualTo(new SessionAffinity.ClientIp(600));
        assertThat(v4(defaulted).getFirst().sessionAffinity()).isEqualTo(new SessionAffinity.ClientIp(10800));
        assertThat(v4(none).getFirst().sessionAffinity()).isEqualTo(SessionAffinity.NONE);
        assertThat(problems).isEmpty();
    }

    @Test
    void aPortOutOfRangeSkipsTheWholeServiceAsTheApiServerWouldRefuseIt() {
        V1Service web = service("demo", "web", "10.96.0.80", port("bad", 70000), port("http", 80));

        assertThat(v4(web)).isEmpty();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("Service demo/web");
            assertThat(p.message()).isEqualTo("spec.ports[0].port: 70000 is out of range 1-65535; Service ignored");
        });
    }

    @Test
    void anInvalidClusterIpDropsTheServiceWithAProblem() {
        V1Service web = service("demo", "web", "10.96.0.999", port("http", 80));

        assertThat(v4(web)).isEmpty();
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo("Service demo/web");
            assertThat(p.message()).contains("10.96.0.999");
        });
    }

    @Test
    void anInvalidExternalIpSkipsTheServiceWithOneProblem() {
        V1Service web = service("demo", "web", "10.96.0.81", port("http", 80));
        web.getSpec().externalIPs(List.of("192.0.2.40", "not-an-ip"));

        assertThat(v4(web)).isEmpty();
        assertThat(v6(web)).isEmpty();
        assertThat(problems).hasSize(2).allSatisfy(p -> {
            assertThat(p.object()).isEqualTo("Service demo/web");
            assertThat(p.message()).isEqualTo(
                    "spec.externalIPs[1]: \"not-an-ip\" is not a valid IP address; Service ignored");
        });
    }

    @Test
    void anUnnamedPortGetsAnEmptyPortName() {
        V1Service svc = service("demo", "single", "10.96.0.82", port(null, 8080));

        assertThat(v4(svc)).singleElement().satisfies(p -> assertThat(p.name()).hasToString("demo/single"));
    }
}
