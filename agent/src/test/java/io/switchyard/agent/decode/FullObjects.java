package io.switchyard.agent.decode;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1ClientIPConfig;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.openapi.models.V1SessionAffinityConfig;
import io.kubernetes.client.openapi.models.V1Taint;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** client-java objects with every field the decoders keep set (and no other): what the fixtures of {@code src/test/resources/decode} decode to. */
public final class FullObjects {

    public static final String TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time";

    private FullObjects() {
    }

    public static V1Service service() {
        return new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().name("web").namespace("demo").resourceVersion("4711")
                        .labels(Map.of("app", "web", "tier", "frontend")))
                .spec(new V1ServiceSpec()
                        .type("LoadBalancer")
                        .clusterIP("10.96.0.10").clusterIPs(List.of("10.96.0.10", "fd00:10:96::a"))
                        .ipFamilies(List.of("IPv4", "IPv6"))
                        .ports(List.of(
                                new V1ServicePort().name("http").protocol("TCP").port(80).nodePort(30080),
                                new V1ServicePort().name("metrics").protocol("UDP").port(9100).nodePort(30091)))
                        .externalIPs(List.of("192.0.2.10"))
                        .loadBalancerSourceRanges(List.of("203.0.113.0/24", "2001:db8::/64"))
                        .sessionAffinity("ClientIP")
                        .sessionAffinityConfig(new V1SessionAffinityConfig()
                                .clientIP(new V1ClientIPConfig().timeoutSeconds(600)))
                        .externalTrafficPolicy("Local").internalTrafficPolicy("Local")
                        .healthCheckNodePort(31234))
                .status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(List.of(
                        new V1LoadBalancerIngress().ip("198.51.100.7").ipMode("VIP"),
                        new V1LoadBalancerIngress().ip("198.51.100.8").ipMode("Proxy")))));
    }

    public static V1EndpointSlice slice() {
        return new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice")
                .metadata(new V1ObjectMeta().name("web-x7k2p").namespace("demo").resourceVersion("4712")
                        .labels(Map.of("kubernetes.io/service-name", "web",
                                "endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"))
                        .annotations(Map.of(TRIGGER, "2026-03-01T10:00:00Z")))
                .addressType("IPv4")
                .endpoints(List.of(
                        new V1Endpoint().addresses(List.of("10.244.1.5"))
                                .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))
                                .nodeName("node-a").zone("zone-a")
                                .hints(new V1EndpointHints().forZones(List.of(new V1ForZone().name("zone-a")))
                                        .forNodes(List.of(new V1ForNode().name("node-a")))),
                        new V1Endpoint().addresses(List.of("10.244.2.9"))
                                .conditions(new V1EndpointConditions().ready(false).serving(true).terminating(true))
                                .nodeName("node-b").zone("zone-b")))
                .ports(List.of(
                        new DiscoveryV1EndpointPort().name("http").protocol("TCP").port(8080),
                        new DiscoveryV1EndpointPort().name("metrics").protocol("UDP").port(9100)));
    }

    public static V1Node node() {
        return new V1Node().apiVersion("v1").kind("Node")
                .metadata(new V1ObjectMeta().name("node-a").resourceVersion("4713")
                        .deletionTimestamp(OffsetDateTime.of(2026, 3, 1, 11, 0, 0, 0, ZoneOffset.UTC))
                        .labels(Map.of("kubernetes.io/hostname", "node-a", "kubernetes.io/os", "linux",
                                "topology.kubernetes.io/zone", "zone-a", "topology.kubernetes.io/region", "eu")))
                .spec(new V1NodeSpec().podCIDR("10.244.1.0/24")
                        .podCIDRs(List.of("10.244.1.0/24", "fd00:10:244:1::/64"))
                        .taints(List.of(
                                new V1Taint().key("ToBeDeletedByClusterAutoscaler").value("1772362800")
                                        .effect("NoSchedule"),
                                new V1Taint().key("node.kubernetes.io/unschedulable").effect("NoSchedule"))))
                .status(new V1NodeStatus().addresses(List.of(
                        new V1NodeAddress().type("InternalIP").address("172.18.0.2"),
                        new V1NodeAddress().type("InternalIP").address("fc00:f853:ccd:e793::2"),
                        new V1NodeAddress().type("Hostname").address("node-a"))));
    }
}
