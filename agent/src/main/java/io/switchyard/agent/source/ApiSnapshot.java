package io.switchyard.agent.source;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;

/** A one-time LIST of what the proxy watches, for {@code dump-rules --kubeconfig}. */
public final class ApiSnapshot {

    private ApiSnapshot() {
    }

    /** Lists the Services, EndpointSlices and the local Node with kube-proxy's selectors. */
    public static ClusterObjects list(ApiClient client, ProxySelection selection, String nodeName) {
        CoreV1Api core = new CoreV1Api(client);
        DiscoveryV1Api discovery = new DiscoveryV1Api(client);
        try {
            return new ClusterObjects(
                    core.listServiceForAllNamespaces().labelSelector(selection.labelSelector()).execute().getItems(),
                    discovery.listEndpointSliceForAllNamespaces()
                            .labelSelector(selection.labelSelector()).execute().getItems(),
                    core.listNode().fieldSelector("metadata.name=" + nodeName).execute().getItems());
        } catch (ApiException e) {
            throw new IllegalStateException("listing from the API server failed: HTTP " + e.getCode() + " "
                    + e.getMessage(), e);
        }
    }
}
