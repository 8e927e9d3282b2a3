package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Printable;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import static io.switchyard.agent.convert.FieldChecks.dnsLabel;
import static io.switchyard.agent.convert.FieldChecks.oneOf;
import static io.switchyard.agent.convert.FieldChecks.required;

/**
 * Turns a V1Service into the service ports one family's proxier programs. First it checks the
 * fields the proxy reads as the API server checks them: a Service the API server would refuse
 * is skipped whole, with one {@link Problem} naming it and its first bad field. Then it applies
 * kube-proxy's filtering: headless and ExternalName Services and Services without a cluster IP
 * of the family give nothing, and addresses of the other family are left out.
 *
 * <p>Absent fields take the API server's defaults (type ClusterIP, protocol TCP, affinity None,
 * traffic policies Cluster, a three-hour ClientIP timeout), since objects from files were never
 * defaulted. Rules that only forbid setting a field kube-proxy then ignores (an
 * externalTrafficPolicy on an internal Service, a healthCheckNodePort that is not needed,
 * loadBalancerSourceRanges on a non-LoadBalancer) are not enforced: objects stored before the
 * API server checked them are still served, and kube-proxy programs them.
 */
public final class ServiceConverter {

    private static final List<String> TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
    private static final List<String> FAMILIES = List.of("IPv4", "IPv6");
    private static final List<String> FAMILY_POLICIES = List.of("SingleStack", "PreferDualStack", "RequireDualStack");
    private static final List<String> AFFINITIES = List.of("ClientIP", "None");
    private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
    private static final List<String> IP_MODES = List.of("VIP", "Proxy");

    private final IpFamily family;

    public ServiceConverter(IpFamily family) {
        this.family = family;
    }

    /** The service ports of a Service, adding the problem that skips it, if any, to {@code problems}. */
    public List<ServicePort> convert(V1Service service, List<Problem> problems) {
        try {
            return ports(service);
        } catch (InvalidField e) {
            problems.add(new Problem(describe(service), e.describe() + "; Service ignored"));
            return List.of();
        }
    }

    /** {@code Service namespace/name}, quoting either part when it is not a plain name. */
    static String describe(V1Service service) {
        V1ObjectMeta metadata = service.getMetadata();
        String namespace = metadata == null ? null : metadata.getNamespace();
        return Problem.describe("Service", namespace == null || namespace.isEmpty() ? "default" : namespace,
                metadata == null ? null : metadata.getName());
    }

    /** One validated {@code spec.ports} entry. */
    private record Port(String name, int port, Protocol protocol, int nodePort) {
    }

    private List<ServicePort> ports(V1Service service) {
        V1ObjectMeta metadata = service.getMetadata();
        if (metadata == null) {
            throw required("metadata");
        }
        String name = dnsLabel("metadata.name", metadata.getName(), "Service name");
        String namespace = metadata.getNamespace() == null || metadata.getNamespace().isEmpty() ? "default"
                : dnsLabel("metadata.namespace", metadata.getNamespace(), "namespace");
        V1ServiceSpec spec = service.getSpec();
        if (spec == null) {
            throw required("spec");
        }
        String type = oneOf("spec.type", spec.getType(), "ClusterIP", TYPES);
        if (type.equals("ExternalName")) {
            return List.of(); // kube-proxy programs nothing for it, whatever else it holds
        }
        List<String> families = ipFamilies(spec);
        List<String> clusterIps = clusterIps(spec, families);
        if (!clusterIps.isEmpty() && clusterIps.getFirst().equals("None")) {
            return List.of(); // headless
        }
        List<Port> ports = ports(spec, type);
        List<String> externalIps = externalIps(spec.getExternalIPs());
        List<String> vips = loadBalancerVips(service);
        List<Cidr> sourceRanges = sourceRanges(spec.getLoadBalancerSourceRanges());
        SessionAffinity affinity = sessionAffinity(spec);
        boolean externallyAccessible = !type.equals("ClusterIP")
                || (spec.getExternalIPs() != null && !spec.getExternalIPs().isEmpty());
        boolean externalPolicyLocal = "Local".equals(
                oneOf("spec.externalTrafficPolicy", spec.getExternalTrafficPolicy(), "Cluster", TRAFFIC_POLICIES))
                && externallyAccessible;
        boolean internalPolicyLocal = "Local".equals(
                oneOf("spec.internalTrafficPolicy", spec.getInternalTrafficPolicy(), "Cluster", TRAFFIC_POLICIES));
        int healthCheckNodePort = 0;
        if (type.equals("LoadBalancer") && externalPolicyLocal) {
            Integer hc = spec.getHealthCheckNodePort();
            if (hc == null || hc == 0) {
                throw new InvalidField("spec.healthCheckNodePort",
                        "required for a LoadBalancer with externalTrafficPolicy Local");
            }
            healthCheckNodePort = FieldChecks.portInRange("spec.healthCheckNodePort", hc);
        }

        String clusterIp = clusterIpOfFamily(spec, families, clusterIps);
        if (clusterIp == null) {
            return List.of();
        }
        List<ServicePort> out = new ArrayList<>(ports.size());
        for (Port port : ports) {
            out.add(new ServicePort(new ServicePortName(namespace, name, port.name(), port.protocol()), clusterIp,
                    port.port(), port.nodePort(), externalIps, vips, sourceRanges, healthCheckNodePort, affinity,
                    externalPolicyLocal, internalPolicyLocal));
        }
        return out;
    }

    private static List<String> ipFamilies(V1ServiceSpec spec) {
        List<String> families = Objects.requireNonNullElse(spec.getIpFamilies(), List.of());
        for (int i = 0; i < families.size(); i++) {
            String path = "spec.ipFamilies[" + i + "]";
            String value = oneOf(path, families.get(i), null, FAMILIES);
            if (families.subList(0, i).contains(value)) {
                throw new InvalidField(path, "duplicate value " + Printable.quote(value));
            }
        }
        if (spec.getIpFamilyPolicy() != null) {
            oneOf("spec.ipFamilyPolicy", spec.getIpFamilyPolicy(), null, FAMILY_POLICIES);
        }
        return families;
    }

    /**
     * The cluster IPs, canonical, in order ({@code ["None"]} for a headless Service, empty when
     * none is allocated). {@code clusterIP} and {@code clusterIPs} are kept in step by the API
     * server, so either may stand for the other.
     */
    private static List<String> clusterIps(V1ServiceSpec spec, List<String> families) {
        String single = spec.getClusterIP();
        List<String> multi = spec.getClusterIPs();
        // An empty first entry, like an empty clusterIP, means none is allocated yet.
        boolean fromList = multi != null && !multi.isEmpty() && multi.getFirst() != null && !multi.getFirst().isEmpty();
        List<String> ips = fromList ? multi : single == null || single.isEmpty() ? List.of() : List.of(single);
        if (fromList && single != null && !single.isEmpty() && !single.equals(multi.getFirst())) {
            throw new InvalidField("spec.clusterIPs[0]", Printable.quote(multi.getFirst())
                    + " does not match spec.clusterIP " + Printable.quote(single));
        }
        if (ips.size() > 2) {
            throw new InvalidField("spec.clusterIPs", "may hold at most 2 addresses, one of each IP family");
        }
        if (!ips.isEmpty() && "None".equals(ips.getFirst())) {
            if (ips.size() > 1) {
                throw new InvalidField("spec.clusterIPs", "'None' must be the first and only value");
            }
            return ips;
        }
        List<String> canonical = new ArrayList<>(ips.size());
        for (int i = 0; i < ips.size(); i++) {
            String path = fromList ? "spec.clusterIPs[" + i + "]" : "spec.clusterIP";
            String ip = IpLiteral.format(FieldChecks.ip(path, ips.get(i)));
            IpFamily of = familyOf(ip);
            if (i == 1 && of == familyOf(canonical.getFirst())) {
                throw new InvalidField(path, "may hold at most one address of each IP family");
            }
            if (i < families.size() && !families.get(i).equals(of.apiName())) {
                throw new InvalidField(path, Printable.quote(ips.get(i)) + " is not an " + families.get(i)
                        + " address, as spec.ipFamilies[" + i + "] says");
            }
            canonical.add(ip);
        }
        return canonical;
    }

    /** The cluster IP this family's proxier uses, chosen as kube-proxy chooses it, or null. */
    private String clusterIpOfFamily(V1ServiceSpec spec, List<String> families, List<String> clusterIps) {
        if (clusterIps.isEmpty()) {
            return null;
        }
        if (families.isEmpty()) {
            // Without ipFamilies kube-proxy reads only spec.clusterIP.
            return familyOf(clusterIps.getFirst()) == family ? clusterIps.getFirst() : null;
        }
        int index = families.indexOf(family.apiName());
        return index >= 0 && index < clusterIps.size() ? clusterIps.get(index) : null;
    }

    private static List<Port> ports(V1ServiceSpec spec, String type) {
        List<V1ServicePort> specPorts = Objects.requireNonNullElse(spec.getPorts(), List.of());
        if (specPorts.isEmpty()) {
            throw required("spec.ports");
        }
        List<Port> ports = new ArrayList<>(specPorts.size());
        Set<String> names = new HashSet<>();
        Set<String> numbers = new HashSet<>();
        Set<String> nodePorts = new HashSet<>();
        for (int i = 0; i < specPorts.size(); i++) {
            V1ServicePort port = specPorts.get(i);
            String path = "spec.ports[" + i + "]";
            String name = Objects.requireNonNullElse(port.getName(), "");
            if (name.isEmpty() && specPorts.size() > 1) {
                throw new InvalidField(path + ".name", "required when the Service has more than one port");
            }
            if (!name.isEmpty() && !names.add(dnsLabel(path + ".name", name, "port name"))) {
                throw new InvalidField(path + ".name", "duplicate value " + Printable.quote(name));
            }
            int number = FieldChecks.port(path + ".port", port.getPort());
            Protocol protocol = FieldChecks.protocol(path + ".protocol", port.getProtocol());
            if (!numbers.add(protocol + "/" + number)) {
                throw new InvalidField(path, "duplicate port " + number + "/" + protocol);
            }
            int nodePort = port.getNodePort() == null ? 0 : port.getNodePort();
            if (nodePort != 0) {
                FieldChecks.portInRange(path + ".nodePort", nodePort);
                if (type.equals("ClusterIP")) {
                    throw new InvalidField(path + ".nodePort", "may not be used when type is ClusterIP");
                }
                if (!nodePorts.add(protocol + "/" + nodePort)) {
                    throw new InvalidField(path + ".nodePort", "duplicate node port " + nodePort + "/" + protocol);
                }
            }
            ports.add(new Port(name, number, protocol, nodePort));
        }
        return ports;
    }

    private List<String> externalIps(List<String> addresses) {
        List<String> out = new ArrayList<>();
        List<String> all = Objects.requireNonNullElse(addresses, List.of());
        for (int i = 0; i < all.size(); i++) {
            String ip = IpLiteral.format(FieldChecks.nonSpecialIp("spec.externalIPs[" + i + "]", all.get(i)));
            if (familyOf(ip) == family) {
                out.add(ip);
            }
        }
        return out;
    }

    /** Ingress IPs of this family whose ipMode is VIP (or unset): proxy-mode balancers deliver to the node themselves. */
    private List<String> loadBalancerVips(V1Service service) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<V1LoadBalancerIngress> ingresses = service.getStatus().getLoadBalancer().getIngress();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < ingresses.size(); i++) {
            V1LoadBalancerIngress ingress = ingresses.get(i);
            String path = "status.loadBalancer.ingress[" + i + "]";
            boolean hasIp = ingress.getIp() != null && !ingress.getIp().isEmpty();
            String mode = ingress.getIpMode();
            if (mode != null) {
                if (!hasIp) {
                    throw new InvalidField(path + ".ipMode", "may not be set when ip is not");
                }
                oneOf(path + ".ipMode", mode, null, IP_MODES);
            }
            if (hasIp) {
                String ip = IpLiteral.format(FieldChecks.ip(path + ".ip", ingress.getIp()));
                if (familyOf(ip) == family && (mode == null || mode.equals("VIP"))) {
                    out.add(ip);
                }
            }
        }
        return out;
    }

    /** The ranges of this family; the API server allows (and strips) spaces around each. */
    private List<Cidr> sourceRanges(List<String> ranges) {
        List<Cidr> out = new ArrayList<>();
        List<String> all = Objects.requireNonNullElse(ranges, List.of());
        for (int i = 0; i < all.size(); i++) {
            String value = all.get(i) == null ? null : all.get(i).strip();
            Cidr cidr = FieldChecks.cidr("spec.loadBalancerSourceRanges[" + i + "]", value);
            if (cidr.family() == family) {
                out.add(cidr);
            }
        }
        return out;
    }

    private static SessionAffinity sessionAffinity(V1ServiceSpec spec) {
        String affinity = oneOf("spec.sessionAffinity", spec.getSessionAffinity(), "None", AFFINITIES);
        if (affinity.equals("None")) {
            return SessionAffinity.NONE;
        }
        Integer timeout = null;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null) {
            timeout = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        if (timeout == null) {
            return new SessionAffinity.ClientIp(SessionAffinity.DEFAULT_TIMEOUT_SECONDS);
        }
        if (timeout < 1 || timeout > SessionAffinity.MAX_TIMEOUT_SECONDS) {
            throw new InvalidField("spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    timeout + " is out of range 1-" + SessionAffinity.MAX_TIMEOUT_SECONDS);
        }
        return new SessionAffinity.ClientIp(timeout);
    }

    private static IpFamily familyOf(String canonicalIp) {
        return canonicalIp.indexOf(':') >= 0 ? IpFamily.IPV6 : IpFamily.IPV4;
    }
}
