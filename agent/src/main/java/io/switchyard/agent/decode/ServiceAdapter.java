package io.switchyard.agent.decode;

import io.kubernetes.client.openapi.models.V1ClientIPConfig;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.openapi.models.V1SessionAffinityConfig;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.switchyard.agent.decode.Metadata.orEmpty;

/**
 * A Service as the proxy reads it: spec type, cluster IPs and families, ports (name, protocol,
 * port, nodePort), external IPs, source ranges, session affinity and its timeout, traffic
 * policies, health check node port, and the load balancer ingress IPs with their mode.
 */
final class ServiceAdapter extends ObjectAdapter<V1Service> {

    ServiceAdapter() {
        super("Service");
    }

    @Override
    V1Service readFields(FieldReader fields) throws IOException {
        V1Service service = new V1Service();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "apiVersion" -> service.setApiVersion(fields.token());
                case "kind" -> service.setKind(fields.token());
                case "metadata" -> service.setMetadata(Metadata.read(fields, false));
                case "spec" -> service.setSpec(spec(fields));
                case "status" -> service.setStatus(status(fields));
                default -> fields.skip();
            }
        }
        return service;
    }

    private static V1ServiceSpec spec(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ServiceSpec spec = new V1ServiceSpec()
                .clusterIPs(List.of()).externalIPs(List.of()).ipFamilies(List.of())
                .loadBalancerSourceRanges(List.of()).ports(List.of()).selector(Map.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "type" -> spec.setType(fields.token());
                case "clusterIP" -> spec.setClusterIP(fields.string());
                case "clusterIPs" -> spec.setClusterIPs(orEmpty(fields.strings(false)));
                case "ipFamilies" -> spec.setIpFamilies(orEmpty(fields.strings(true)));
                case "ports" -> spec.setPorts(orEmpty(fields.list(ServiceAdapter::port)));
                case "externalIPs" -> spec.setExternalIPs(orEmpty(fields.strings(false)));
                case "loadBalancerSourceRanges" -> spec.setLoadBalancerSourceRanges(orEmpty(fields.strings(false)));
                case "sessionAffinity" -> spec.setSessionAffinity(fields.token());
                case "sessionAffinityConfig" -> spec.setSessionAffinityConfig(affinityConfig(fields));
                case "externalTrafficPolicy" -> spec.setExternalTrafficPolicy(fields.token());
                case "internalTrafficPolicy" -> spec.setInternalTrafficPolicy(fields.token());
                case "healthCheckNodePort" -> spec.setHealthCheckNodePort(fields.int32());
                default -> fields.skip();
            }
        }
        return spec;
    }

    private static V1ServicePort port(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ServicePort port = new V1ServicePort();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "name" -> port.setName(fields.token());
                case "protocol" -> port.setProtocol(fields.token());
                case "port" -> port.setPort(fields.int32());
                case "nodePort" -> port.setNodePort(fields.int32());
                default -> fields.skip();
            }
        }
        return port;
    }

    private static V1SessionAffinityConfig affinityConfig(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1SessionAffinityConfig config = new V1SessionAffinityConfig();
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("clientIP")) {
                config.setClientIP(clientIp(fields));
            } else {
                fields.skip();
            }
        }
        return config;
    }

    private static V1ClientIPConfig clientIp(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ClientIPConfig config = new V1ClientIPConfig();
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("timeoutSeconds")) {
                config.setTimeoutSeconds(fields.int32());
            } else {
                fields.skip();
            }
        }
        return config;
    }

    private static V1ServiceStatus status(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ServiceStatus status = new V1ServiceStatus().conditions(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("loadBalancer")) {
                status.setLoadBalancer(loadBalancer(fields));
            } else {
                fields.skip();
            }
        }
        return status;
    }

    private static V1LoadBalancerStatus loadBalancer(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1LoadBalancerStatus status = new V1LoadBalancerStatus().ingress(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("ingress")) {
                status.setIngress(orEmpty(fields.list(ServiceAdapter::ingress)));
            } else {
                fields.skip();
            }
        }
        return status;
    }

    private static V1LoadBalancerIngress ingress(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1LoadBalancerIngress ingress = new V1LoadBalancerIngress().ports(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "ip" -> ingress.setIp(fields.string());
                case "ipMode" -> ingress.setIpMode(fields.token());
                default -> fields.skip();
            }
        }
        return ingress;
    }
}
