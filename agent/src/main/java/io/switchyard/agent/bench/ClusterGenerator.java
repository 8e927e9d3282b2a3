package io.switchyard.agent.bench;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
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
import io.kubernetes.client.openapi.models.V1ClientIPConfig;
import io.kubernetes.client.custom.IntOrString;
import io.switchyard.agent.source.ClusterObjects;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A synthetic cluster for benchmarks, deterministic from a seed: N Services × M endpoints over
 * three zones with zone hints (as the EndpointSlice controller writes them), a mix of ClusterIP,
 * NodePort, LoadBalancer, eTP Local and ClientIP affinity, and the local Node {@code node-a}.
 *
 * @param services             how many Services (one TCP port each)
 * @param endpointsPerService  endpoints per Service, in one EndpointSlice
 * @param seed                 decides the service types
 */
public record ClusterGenerator(int services, int endpointsPerService, long seed) {

    /** The node the benchmark proxies for. */
    public static final String NODE = "node-a";
    public static final String NODE_IP = "10.0.0.10";
    public static final String CLUSTER_CIDR = "10.128.0.0/9";
    private static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");
    private static final int NODE_PORT_BASE = 30000;
    private static final int NODE_PORT_COUNT = 2768;

    public ClusterGenerator {
        if (services < 1 || services > 1_000_000 || endpointsPerService < 0 || endpointsPerService > 1000) {
            throw new IllegalArgumentException("services must be 1..1000000 and endpoints 0..1000");
        }
    }

    public ClusterObjects generate() {
        SplittableRandom random = new SplittableRandom(seed);
        List<V1Service> svcs = new ArrayList<>(services);
        List<V1EndpointSlice> slices = new ArrayList<>(services);
        int nextNodePort = 0;
        for (int i = 0; i < services; i++) {
            int roll = random.nextInt(100);
            String type = "ClusterIP";
            boolean local = false;
            if (roll < 30 && nextNodePort < NODE_PORT_COUNT - 1) {
                type = roll < 12 ? "LoadBalancer" : "NodePort";
                local = roll % 6 == 0;
            }
            boolean affinity = random.nextInt(100) < 5;
            int nodePort = type.equals("ClusterIP") ? 0 : NODE_PORT_BASE + nextNodePort++;
            // Node ports and health-check node ports come from one range without repeats, as the
            // API server allocates them.
            int healthCheckPort = type.equals("LoadBalancer") && local ? NODE_PORT_BASE + nextNodePort++ : 0;
            svcs.add(service(i, type, nodePort, healthCheckPort, local, affinity));
            slices.add(slice(i, 0));
        }
        return new ClusterObjects(svcs, slices, List.of(node()));
    }

    /** Slice {@code i} as it is after its {@code generation}-th rolling change: every endpoint moved. */
    public V1EndpointSlice slice(int i, int generation) {
        List<V1Endpoint> endpoints = new ArrayList<>(endpointsPerService);
        for (int e = 0; e < endpointsPerService; e++) {
            String zone = ZONES.get(e % ZONES.size());
            endpoints.add(new V1Endpoint()
                    .addresses(List.of(podIp(i, e, generation)))
                    .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))
                    .nodeName(e % ZONES.size() == 0 && e % 2 == 0 ? NODE : "node-" + zone.substring(5) + (e / 3))
                    .zone(zone)
                    .hints(new V1EndpointHints().forZones(List.of(new V1ForZone().name(zone)))));
        }
        return new V1EndpointSlice()
                .apiVersion("discovery.k8s.io/v1").kind("EndpointSlice")
                .metadata(new V1ObjectMeta().namespace(namespace(i)).name(name(i) + "-abcde")
                        .labels(Map.of("kubernetes.io/service-name", name(i),
                                "endpointslice.kubernetes.io/managed-by", "switchyard-bench")))
                .addressType("IPv4")
                .ports(List.of(new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP")))
                .endpoints(endpoints);
    }

    private V1Service service(int i, String type, int nodePort, int healthCheckPort, boolean local, boolean affinity) {
        V1ServiceSpec spec = new V1ServiceSpec()
                .type(type)
                .clusterIP(clusterIp(i)).clusterIPs(List.of(clusterIp(i)))
                .ipFamilies(List.of("IPv4")).ipFamilyPolicy("SingleStack")
                .internalTrafficPolicy("Cluster")
                .sessionAffinity(affinity ? "ClientIP" : "None")
                .ports(List.of(new V1ServicePort().name("http").port(80).protocol("TCP")
                        .targetPort(new IntOrString(8080)).nodePort(nodePort == 0 ? null : nodePort)));
        if (affinity) {
            spec.sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(10800)));
        }
        V1Service service = new V1Service().apiVersion("v1").kind("Service")
                .metadata(new V1ObjectMeta().namespace(namespace(i)).name(name(i)))
                .spec(spec);
        if (!type.equals("ClusterIP")) {
            spec.externalTrafficPolicy(local ? "Local" : "Cluster");
        }
        if (type.equals("LoadBalancer")) {
            if (healthCheckPort != 0) {
                spec.healthCheckNodePort(healthCheckPort);
            }
            service.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus()
                    .ingress(List.of(new V1LoadBalancerIngress().ip(lbIp(i)).ipMode("VIP")))));
        }
        return service;
    }

    private static V1Node node() {
        return new V1Node().apiVersion("v1").kind("Node")
                .metadata(new V1ObjectMeta().name(NODE).labels(Map.of(
                        "kubernetes.io/hostname", NODE, "topology.kubernetes.io/zone", "zone-a")))
                .spec(new V1NodeSpec().podCIDRs(List.of("10.128.0.0/24")))
                .status(new V1NodeStatus().addresses(List.of(new V1NodeAddress().type("InternalIP").address(NODE_IP))));
    }

    public static String namespace(int i) {
        return "bench-" + (i % 20);
    }

    public static String name(int i) {
        return "svc-" + i;
    }

    private static String clusterIp(int i) {
        int n = i + 16;
        return "10." + (96 + (n >> 16)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }

    /** LB VIPs from 198.18.0.0/15, the range RFC 2544 sets aside for benchmarks. */
    private static String lbIp(int i) {
        return "198." + (18 + ((i >> 16) & 1)) + "." + ((i >> 8) & 255) + "." + (i & 255);
    }

    private String podIp(int i, int e, int generation) {
        long n = ((long) i * endpointsPerService + e) + (long) generation * services * endpointsPerService + 256;
        return "10." + (128 + ((n >> 16) & 127)) + "." + ((n >> 8) & 255) + "." + (n & 255);
    }
}
