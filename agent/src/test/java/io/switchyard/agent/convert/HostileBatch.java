package io.switchyard.agent.convert;

import io.kubernetes.client.custom.IntOrString;
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
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.openapi.models.V1SessionAffinityConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * One batch of the hostile-input property test: dual-stack Services (two ports each) with an
 * IPv4 and an IPv6 EndpointSlice, and the local Node. Some cases get one field replaced by a
 * hostile value; the rest stay valid and must come out of conversion and rendering intact.
 */
record HostileBatch(List<Case> cases, V1Node node, Mutation nodeMutation) {

    static final String NODE = "node-a";

    /** One Service and its two slices; {@code id} is in every name so problems can be matched. */
    record Case(String id, V1Service service, V1EndpointSlice slice4, V1EndpointSlice slice6, Mutation mutation) {

        String namespace() {
            return "ns-" + id;
        }

        String name() {
            return "svc-" + id;
        }
    }

    /** What was changed: where, to what, and whether the change must be reported as a problem. */
    record Mutation(String field, String value, boolean reported) {
    }

    /** A field a hostile value can be put into. */
    private record Field<T>(String path, boolean reported, BiConsumer<T, String> set) {
    }

    private static final List<Field<V1Service>> SERVICE_FIELDS = List.of(
            new Field<>("metadata.name", true, (s, v) -> s.getMetadata().name(v)),
            new Field<>("metadata.namespace", true, (s, v) -> s.getMetadata().namespace(v)),
            new Field<>("spec.type", true, (s, v) -> s.getSpec().type(v)),
            new Field<>("spec.clusterIP", true, (s, v) -> s.getSpec().clusterIP(v)),
            new Field<>("spec.clusterIPs[1]", true, (s, v) -> s.getSpec().getClusterIPs().set(1, v)),
            new Field<>("spec.ipFamilies[1]", true, (s, v) -> s.getSpec().getIpFamilies().set(1, v)),
            new Field<>("spec.ipFamilyPolicy", true, (s, v) -> s.getSpec().ipFamilyPolicy(v)),
            new Field<>("spec.ports[0].name", true, (s, v) -> s.getSpec().getPorts().get(0).name(v)),
            new Field<>("spec.ports[1].name", true, (s, v) -> s.getSpec().getPorts().get(1).name(v)),
            new Field<>("spec.ports[0].protocol", true, (s, v) -> s.getSpec().getPorts().get(0).protocol(v)),
            new Field<>("spec.externalIPs[0]", true, (s, v) -> s.getSpec().externalIPs(new ArrayList<>(List.of(v)))),
            new Field<>("spec.loadBalancerSourceRanges[0]", true,
                    (s, v) -> s.getSpec().loadBalancerSourceRanges(new ArrayList<>(List.of(v)))),
            new Field<>("spec.sessionAffinity", true, (s, v) -> s.getSpec().sessionAffinity(v)),
            new Field<>("spec.externalTrafficPolicy", true, (s, v) -> s.getSpec().externalTrafficPolicy(v)),
            new Field<>("spec.internalTrafficPolicy", true, (s, v) -> s.getSpec().internalTrafficPolicy(v)),
            new Field<>("status.loadBalancer.ingress[0].ip", true, (s, v) -> ingress(s).ip(v)),
            new Field<>("status.loadBalancer.ingress[0].ipMode", true, (s, v) -> ingress(s).ipMode(v)),
            // Fields the proxy never reads: a hostile value there must change nothing.
            new Field<>("metadata.annotations[note]", false, (s, v) -> s.getMetadata().putAnnotationsItem("note", v)),
            new Field<>("spec.selector[app]", false, (s, v) -> s.getSpec().putSelectorItem("app", v)),
            new Field<>("spec.externalName", false, (s, v) -> s.getSpec().externalName(v)),
            new Field<>("spec.ports[0].targetPort", false,
                    (s, v) -> s.getSpec().getPorts().get(0).targetPort(new IntOrString(v))),
            new Field<>("spec.ports[0].appProtocol", false, (s, v) -> s.getSpec().getPorts().get(0).appProtocol(v)),
            new Field<>("status.loadBalancer.ingress[0].hostname", false, (s, v) -> ingress(s).hostname(v)));

    private static final List<Field<V1EndpointSlice>> SLICE_FIELDS = List.of(
            new Field<>("metadata.name", true, (s, v) -> s.getMetadata().name(v)),
            new Field<>("metadata.namespace", true, (s, v) -> s.getMetadata().namespace(v)),
            new Field<>("metadata.labels[kubernetes.io/service-name]", true,
                    (s, v) -> s.getMetadata().putLabelsItem(EndpointSliceConverter.SERVICE_NAME_LABEL, v)),
            new Field<>("addressType", true, (s, v) -> s.addressType(v)),
            new Field<>("ports[0].name", true, (s, v) -> s.getPorts().get(0).name(v)),
            new Field<>("ports[1].protocol", true, (s, v) -> s.getPorts().get(1).protocol(v)),
            new Field<>("endpoints[0].addresses[0]", true, (s, v) -> s.getEndpoints().get(0).getAddresses().set(0, v)),
            new Field<>("endpoints[1].addresses[0]", true, (s, v) -> s.getEndpoints().get(1).getAddresses().set(0, v)),
            new Field<>("endpoints[0].nodeName", true, (s, v) -> s.getEndpoints().get(0).nodeName(v)),
            new Field<>("endpoints[0].zone", true, (s, v) -> s.getEndpoints().get(0).zone(v)),
            new Field<>("endpoints[0].hints.forZones[0].name", true,
                    (s, v) -> s.getEndpoints().get(0).getHints().getForZones().get(0).name(v)),
            new Field<>("endpoints[0].hints.forNodes[0].name", true,
                    (s, v) -> s.getEndpoints().get(0).getHints().getForNodes().get(0).name(v)),
            new Field<>("metadata.annotations[note]", false, (s, v) -> s.getMetadata().putAnnotationsItem("note", v)),
            new Field<>("ports[0].appProtocol", false, (s, v) -> s.getPorts().get(0).appProtocol(v)),
            new Field<>("endpoints[0].targetRef.name", false,
                    (s, v) -> s.getEndpoints().get(0).targetRef(new V1ObjectReference().kind("Pod").name(v))));

    private static final List<Field<V1Node>> NODE_FIELDS = List.of(
            new Field<>("status.addresses[0].address", true, (n, v) -> n.getStatus().getAddresses().get(0).address(v)),
            new Field<>("status.addresses[1].address", true, (n, v) -> n.getStatus().getAddresses().get(1).address(v)),
            new Field<>("spec.podCIDRs[0]", true, (n, v) -> n.getSpec().getPodCIDRs().set(0, v)),
            new Field<>("metadata.labels[topology.kubernetes.io/zone]", true,
                    (n, v) -> n.getMetadata().putLabelsItem("topology.kubernetes.io/zone", v)),
            new Field<>("metadata.annotations[note]", false, (n, v) -> n.getMetadata().putAnnotationsItem("note", v)));

    static HostileBatch generate(Random random, int round, int size) {
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String id = "r" + round + "c" + i + "x";
            V1Service service = service(random, round, i, id);
            V1EndpointSlice slice4 = slice(id, "IPv4", "10.244." + round + "." + (i + 1), "10.245." + round + "." + (i + 1));
            V1EndpointSlice slice6 = slice(id, "IPv6", "fd00:244::" + round + ":" + (i + 1), "fd00:245::" + round + ":" + (i + 1));
            Mutation mutation = null;
            int pick = random.nextInt(10);
            if (pick < 4) {
                mutation = mutate(random, SERVICE_FIELDS, service);
            } else if (pick < 6) {
                mutation = mutate(random, SLICE_FIELDS, slice4);
            } else if (pick < 7) {
                mutation = mutate(random, SLICE_FIELDS, slice6);
            } else if (pick < 8) {
                mutation = semantic(random, service, slice4);
            }
            cases.add(new Case(id, service, slice4, slice6, mutation));
        }
        V1Node node = newNode();
        Mutation nodeMutation = random.nextInt(3) == 0 ? mutate(random, NODE_FIELDS, node) : null;
        return new HostileBatch(cases, node, nodeMutation);
    }

    private static <T> Mutation mutate(Random random, List<Field<T>> fields, T target) {
        Field<T> field = fields.get(random.nextInt(fields.size()));
        String value = HostileStrings.next(random);
        field.set().accept(target, value);
        return new Mutation(field.path(), value, field.reported());
    }

    /** Well-typed values the API server rejects for what they mean rather than for their characters. */
    private static Mutation semantic(Random random, V1Service service, V1EndpointSlice slice4) {
        V1ServicePort second = service.getSpec().getPorts().get(1);
        return switch (random.nextInt(9)) {
            case 0 -> set("spec.ports[1].name", "", () -> second.name(""));
            case 1 -> set("spec.ports[1].name", "http", () -> second.name("http"));
            case 2 -> set("spec.ipFamilies[1]", "IPv5", () -> service.getSpec().getIpFamilies().set(1, "IPv5"));
            case 3 -> set("spec.ports[0].port", "0", () -> service.getSpec().getPorts().get(0).port(0));
            case 4 -> set("spec.ports[1].port", "70000", () -> second.port(70000));
            case 5 -> set("endpoints[0].addresses[0]", "fd00::99",
                    () -> slice4.getEndpoints().get(0).getAddresses().set(0, "fd00::99"));
            case 6 -> set("ports[0].port", "0", () -> slice4.getPorts().get(0).port(0));
            case 7 -> set("spec.sessionAffinityConfig.clientIP.timeoutSeconds", "86401", () -> service.getSpec()
                    .sessionAffinity("ClientIP")
                    .sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(86401))));
            default -> set("spec.ports[0].protocol", "tcp", () -> service.getSpec().getPorts().get(0).protocol("tcp"));
        };
    }

    private static Mutation set(String field, String value, Runnable apply) {
        apply.run();
        return new Mutation(field, value, true);
    }

    private static V1Service service(Random random, int round, int i, String id) {
        String type = switch (random.nextInt(3)) {
            case 0 -> "ClusterIP";
            case 1 -> "NodePort";
            default -> "LoadBalancer";
        };
        V1ServiceSpec spec = new V1ServiceSpec()
                .type(type)
                .clusterIP("10.96." + round + "." + (i + 1))
                .clusterIPs(new ArrayList<>(List.of("10.96." + round + "." + (i + 1), "fd00:96::" + round + ":" + (i + 1))))
                .ipFamilies(new ArrayList<>(List.of("IPv4", "IPv6")))
                .ipFamilyPolicy("RequireDualStack")
                .sessionAffinity(random.nextInt(4) == 0 ? "ClientIP" : "None")
                .internalTrafficPolicy(random.nextInt(4) == 0 ? "Local" : "Cluster")
                .selector(new java.util.HashMap<>(Map.of("app", "web")))
                .ports(new ArrayList<>(List.of(
                        new V1ServicePort().name("http").port(80).protocol("TCP").targetPort(new IntOrString(8080)),
                        new V1ServicePort().name("metrics").port(9090).protocol("TCP").targetPort(new IntOrString(9090)))));
        if (spec.getSessionAffinity().equals("ClientIP")) {
            spec.sessionAffinityConfig(new V1SessionAffinityConfig().clientIP(new V1ClientIPConfig().timeoutSeconds(600)));
        }
        V1ServiceStatus status = new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus());
        if (!type.equals("ClusterIP")) {
            spec.getPorts().get(0).nodePort(30000 + round * 100 + i);
            spec.getPorts().get(1).nodePort(31000 + round * 100 + i);
            boolean local = random.nextBoolean();
            spec.externalTrafficPolicy(local ? "Local" : "Cluster");
            if (type.equals("LoadBalancer")) {
                if (local) {
                    spec.healthCheckNodePort(32000 + round * 100 + i);
                }
                spec.loadBalancerSourceRanges(new ArrayList<>(List.of("203.0.113.0/24", "2001:db8:1::/48")));
                status.getLoadBalancer().ingress(new ArrayList<>(List.of(
                        new V1LoadBalancerIngress().ip("192.0." + round + "." + (i + 1)).ipMode("VIP"),
                        new V1LoadBalancerIngress().ip("2001:db8::" + round + ":" + (i + 1)).ipMode("VIP"))));
            }
        }
        if (random.nextInt(4) == 0) {
            spec.externalIPs(new ArrayList<>(List.of("198.51." + round + "." + (i + 1), "2001:db8:2::" + round + ":" + (i + 1))));
        }
        if (status.getLoadBalancer().getIngress() == null || status.getLoadBalancer().getIngress().isEmpty()) {
            status.getLoadBalancer().ingress(new ArrayList<>(List.of(new V1LoadBalancerIngress())));
        }
        return new V1Service()
                .metadata(new V1ObjectMeta().namespace("ns-" + id).name("svc-" + id))
                .spec(spec)
                .status(status);
    }

    private static V1LoadBalancerIngress ingress(V1Service service) {
        return service.getStatus().getLoadBalancer().getIngress().getFirst();
    }

    private static V1EndpointSlice slice(String id, String addressType, String ip1, String ip2) {
        return new V1EndpointSlice()
                .metadata(new V1ObjectMeta().namespace("ns-" + id).name("svc-" + id + "-" + addressType.toLowerCase())
                        .labels(new java.util.HashMap<>(Map.of(EndpointSliceConverter.SERVICE_NAME_LABEL, "svc-" + id))))
                .addressType(addressType)
                .ports(new ArrayList<>(List.of(
                        new DiscoveryV1EndpointPort().name("http").port(8080).protocol("TCP"),
                        new DiscoveryV1EndpointPort().name("metrics").port(9090).protocol("TCP"))))
                .endpoints(new ArrayList<>(List.of(endpoint(ip1, NODE, "zone-a"), endpoint(ip2, "node-b", "zone-b"))));
    }

    private static V1Endpoint endpoint(String ip, String node, String zone) {
        return new V1Endpoint()
                .addresses(new ArrayList<>(List.of(ip)))
                .nodeName(node)
                .zone(zone)
                .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false))
                .hints(new V1EndpointHints()
                        .forZones(new ArrayList<>(List.of(new V1ForZone().name(zone))))
                        .forNodes(new ArrayList<>(List.of(new V1ForNode().name(node)))));
    }

    private static V1Node newNode() {
        return new V1Node()
                .metadata(new V1ObjectMeta().name(NODE).labels(new java.util.HashMap<>(Map.of(
                        "kubernetes.io/hostname", NODE, "topology.kubernetes.io/zone", "zone-a"))))
                .spec(new V1NodeSpec().podCIDRs(new ArrayList<>(List.of("10.244.0.0/24", "fd00:244::/64"))))
                .status(new V1NodeStatus().addresses(new ArrayList<>(List.of(
                        new V1NodeAddress().type("InternalIP").address("10.0.0.10"),
                        new V1NodeAddress().type("InternalIP").address("fd00:10::10"),
                        new V1NodeAddress().type("Hostname").address(NODE)))));
    }
}
