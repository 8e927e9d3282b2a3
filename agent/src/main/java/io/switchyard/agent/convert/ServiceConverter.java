package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;
import io.switchyard.rules.model.SessionAffinity;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Turns a V1Service into the service ports one family's proxier programs, applying kube-proxy's
 * filtering: headless and ExternalName Services and Services without a cluster IP of the family
 * are skipped; addresses of the other family are ignored; an invalid port or address is a
 * {@link Problem} that drops only what it affects.
 */
public final class ServiceConverter {

    private final IpFamily family;

    public ServiceConverter(IpFamily family) {
        this.family = family;
    }

    /** The service ports of a Service, adding any problems found to {@code problems}. */
    public List<ServicePort> convert(V1Service service, List<Problem> problems) {
        String namespace = service.getMetadata() == null ? null : service.getMetadata().getNamespace();
        String name = service.getMetadata() == null ? null : service.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            problems.add(new Problem("Service (unnamed)", "metadata.name is missing"));
            return List.of();
        }
        namespace = namespace == null || namespace.isEmpty() ? "default" : namespace;
        String object = "Service " + namespace + "/" + name;
        V1ServiceSpec spec = service.getSpec();
        if (spec == null) {
            problems.add(new Problem(object, "spec is missing"));
            return List.of();
        }
        if ("ExternalName".equals(spec.getType()) || !hasClusterIp(spec)) {
            return List.of();
        }
        String clusterIp = clusterIpOfFamily(spec);
        if (clusterIp.isEmpty()) {
            return List.of();
        }
        if (IpLiteral.familyOf(clusterIp) != family) {
            problems.add(new Problem(object, "cluster IP \"" + clusterIp + "\" is not a valid " + family + " address"));
            return List.of();
        }
        clusterIp = IpLiteral.canonical(clusterIp);

        String type = Objects.requireNonNullElse(spec.getType(), "ClusterIP");
        boolean externalPolicyLocal = externallyAccessible(spec, type) && "Local".equals(spec.getExternalTrafficPolicy());
        boolean internalPolicyLocal = "Local".equals(spec.getInternalTrafficPolicy());
        List<String> externalIps = addressesOfFamily(spec.getExternalIPs(), object, "external IP", problems);
        List<String> vips = loadBalancerVips(service, object, problems);
        List<Cidr> sourceRanges = sourceRanges(spec.getLoadBalancerSourceRanges(), object, problems);
        SessionAffinity affinity = sessionAffinity(spec, object, problems);
        int healthCheckNodePort = 0;
        if ("LoadBalancer".equals(type) && externalPolicyLocal) {
            Integer hc = spec.getHealthCheckNodePort();
            if (hc == null || hc == 0) {
                problems.add(new Problem(object, "LoadBalancer with externalTrafficPolicy Local has no healthCheckNodePort"));
            } else if (hc < 0 || hc > 65535) {
                problems.add(new Problem(object, "healthCheckNodePort " + hc + " out of range 1-65535; ignored"));
            } else {
                healthCheckNodePort = hc;
            }
        }

        List<ServicePort> ports = new ArrayList<>();
        for (V1ServicePort port : Objects.requireNonNullElse(spec.getPorts(), List.<V1ServicePort>of())) {
            String portName = Objects.requireNonNullElse(port.getName(), "");
            Protocol protocol;
            try {
                protocol = Protocol.fromApi(port.getProtocol());
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(object, "port \"" + portName + "\": " + e.getMessage() + "; port skipped"));
                continue;
            }
            Integer number = port.getPort();
            if (number == null || number < 1 || number > 65535) {
                problems.add(new Problem(object, "port \"" + portName + "\": port " + number + " out of range 1-65535; port skipped"));
                continue;
            }
            int nodePort = Objects.requireNonNullElse(port.getNodePort(), 0);
            if (nodePort < 0 || nodePort > 65535) {
                problems.add(new Problem(object, "port \"" + portName + "\": nodePort " + nodePort + " out of range 1-65535; port skipped"));
                continue;
            }
            ServicePortName spn = new ServicePortName(namespace, name, portName, protocol);
            ports.add(new ServicePort(spn, clusterIp, number, nodePort, externalIps, vips, sourceRanges,
                    healthCheckNodePort, affinity, externalPolicyLocal, internalPolicyLocal));
        }
        return ports;
    }

    private static boolean hasClusterIp(V1ServiceSpec spec) {
        String ip = spec.getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip);
    }

    private String clusterIpOfFamily(V1ServiceSpec spec) {
        List<String> families = spec.getIpFamilies();
        if (families == null || families.isEmpty()) {
            String ip = spec.getClusterIP();
            boolean v6 = ip.indexOf(':') >= 0;
            return v6 == (family == IpFamily.IPV6) ? ip : "";
        }
        List<String> ips = Objects.requireNonNullElse(spec.getClusterIPs(), List.of(spec.getClusterIP()));
        for (int i = 0; i < families.size(); i++) {
            if (family.apiName().equals(families.get(i)) && i < ips.size()) {
                return ips.get(i);
            }
        }
        return "";
    }

    private static boolean externallyAccessible(V1ServiceSpec spec, String type) {
        return "LoadBalancer".equals(type) || "NodePort".equals(type)
                || ("ClusterIP".equals(type) && spec.getExternalIPs() != null && !spec.getExternalIPs().isEmpty());
    }

    private List<String> addressesOfFamily(List<String> addresses, String object, String what, List<Problem> problems) {
        List<String> out = new ArrayList<>();
        for (String address : Objects.requireNonNullElse(addresses, List.<String>of())) {
            IpFamily of = IpLiteral.familyOf(address);
            if (of == null) {
                problems.add(new Problem(object, what + " \"" + address + "\" is not an IP address; ignored"));
            } else if (of == family) {
                out.add(IpLiteral.canonical(address));
            }
        }
        return out;
    }

    private List<String> loadBalancerVips(V1Service service, String object, List<Problem> problems) {
        if (service.getStatus() == null || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<String> ips = new ArrayList<>();
        for (V1LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
            String ip = ingress.getIp();
            // Proxy-mode load balancers deliver to the node themselves: no VIP rules for them.
            if (ip == null || ip.isEmpty() || (ingress.getIpMode() != null && !"VIP".equals(ingress.getIpMode()))) {
                continue;
            }
            ips.add(ip);
        }
        return addressesOfFamily(ips, object, "load balancer ingress IP", problems);
    }

    private List<Cidr> sourceRanges(List<String> ranges, String object, List<Problem> problems) {
        List<Cidr> out = new ArrayList<>();
        for (String range : Objects.requireNonNullElse(ranges, List.<String>of())) {
            try {
                Cidr cidr = Cidr.parse(range);
                if (cidr.family() == family) {
                    out.add(cidr);
                }
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(object, "loadBalancerSourceRanges: " + e.getMessage() + "; ignored"));
            }
        }
        return out;
    }

    private static SessionAffinity sessionAffinity(V1ServiceSpec spec, String object, List<Problem> problems) {
        if (!"ClientIP".equals(spec.getSessionAffinity())) {
            return SessionAffinity.NONE;
        }
        Integer timeout = null;
        if (spec.getSessionAffinityConfig() != null && spec.getSessionAffinityConfig().getClientIP() != null) {
            timeout = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
        }
        if (timeout == null) {
            return new SessionAffinity.ClientIp(SessionAffinity.DEFAULT_TIMEOUT_SECONDS);
        }
        try {
            return new SessionAffinity.ClientIp(timeout);
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(object, e.getMessage() + "; using the default of "
                    + SessionAffinity.DEFAULT_TIMEOUT_SECONDS));
            return new SessionAffinity.ClientIp(SessionAffinity.DEFAULT_TIMEOUT_SECONDS);
        }
    }
}
