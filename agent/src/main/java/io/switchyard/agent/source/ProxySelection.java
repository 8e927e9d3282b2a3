package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;

import java.util.Map;
import java.util.Objects;

/**
 * Which Services and EndpointSlices this proxy handles, by kube-proxy's label rules (one selector
 * for both watches): objects labelled with a service-proxy-name belong to that proxy (ours only
 * if it is our {@code --service-proxy-name}), and objects labelled headless belong to none.
 *
 * @param serviceProxyName our {@code --service-proxy-name}, empty for the default proxy
 */
public record ProxySelection(String serviceProxyName) {

    public static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";
    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

    public ProxySelection {
        serviceProxyName = Objects.requireNonNullElse(serviceProxyName, "");
    }

    /** The label selector of both the Service and the EndpointSlice watch. */
    public String labelSelector() {
        String proxy = serviceProxyName.isEmpty() ? "!" + SERVICE_PROXY_NAME_LABEL
                : SERVICE_PROXY_NAME_LABEL + "=" + serviceProxyName;
        return proxy + ",!" + HEADLESS_LABEL;
    }

    public boolean selects(V1Service service) {
        return selects(labels(service.getMetadata()));
    }

    public boolean selects(V1EndpointSlice slice) {
        return selects(labels(slice.getMetadata()));
    }

    private boolean selects(Map<String, String> labels) {
        String proxyName = labels.get(SERVICE_PROXY_NAME_LABEL);
        boolean ours = serviceProxyName.isEmpty() ? proxyName == null : serviceProxyName.equals(proxyName);
        return ours && !labels.containsKey(HEADLESS_LABEL);
    }

    private static Map<String, String> labels(V1ObjectMeta metadata) {
        return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
    }
}
