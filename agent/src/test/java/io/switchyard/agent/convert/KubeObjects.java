package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServicePort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;

import java.util.List;

/** Small builders for the client-java objects the converter tests feed in. */
public final class KubeObjects {

    private KubeObjects() {
    }

    /** A single-stack IPv4 ClusterIP Service with the given ports. */
    public static V1Service service(String namespace, String name, String clusterIp, V1ServicePort... ports) {
        return new V1Service()
                .metadata(new V1ObjectMeta().namespace(namespace).name(name))
                .spec(new V1ServiceSpec()
                        .type("ClusterIP")
                        .clusterIP(clusterIp)
                        .clusterIPs(List.of(clusterIp))
                        .ipFamilies(List.of(clusterIp.contains(":") ? "IPv6" : "IPv4"))
                        .ports(List.of(ports)));
    }

    public static V1ServicePort port(String name, int port) {
        return new V1ServicePort().name(name).port(port).protocol("TCP");
    }

    /** An EndpointSlice labelled as belonging to {@code service}. */
    public static V1EndpointSlice slice(String namespace, String name, String service, String addressType,
                                 List<DiscoveryV1EndpointPort> ports, V1Endpoint... endpoints) {
        V1ObjectMeta metadata = new V1ObjectMeta().namespace(namespace).name(name);
        if (service != null) {
            metadata.putLabelsItem(EndpointSliceConverter.SERVICE_NAME_LABEL, service);
        }
        return new V1EndpointSlice()
                .metadata(metadata)
                .addressType(addressType)
                .ports(ports)
                .endpoints(List.of(endpoints));
    }

    public static DiscoveryV1EndpointPort slicePort(String name, Integer port) {
        return new DiscoveryV1EndpointPort().name(name).port(port).protocol("TCP");
    }

    /** A ready, serving, non-terminating endpoint on a node. */
    public static V1Endpoint endpoint(String ip, String nodeName) {
        return new V1Endpoint().addresses(List.of(ip)).nodeName(nodeName)
                .conditions(new V1EndpointConditions().ready(true).serving(true).terminating(false));
    }

    /** A terminating (not ready, still serving) endpoint on a node. */
    public static V1Endpoint terminating(String ip, String nodeName) {
        return new V1Endpoint().addresses(List.of(ip)).nodeName(nodeName)
                .conditions(new V1EndpointConditions().ready(false).serving(true).terminating(true));
    }
}
