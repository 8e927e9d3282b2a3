package io.switchyard.agent.source;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.decode.ObjectRejectedException;
import io.switchyard.agent.decode.ResourceDecoder;

import java.util.function.Consumer;

/** A one-time LIST of what the proxy watches, for {@code dump-rules --kubeconfig}. */
public final class ApiSnapshot {

    private ApiSnapshot() {
    }

    /**
     * Lists the Services, EndpointSlices and the local Node with kube-proxy's selectors, decoded
     * as the informers decode them.
     *
     * @param problems receives each object that cannot be read (it is left out; the others are listed)
     */
    public static ClusterObjects list(ApiClient client, ProxySelection selection, String nodeName,
                                      Consumer<Problem> problems) {
        CoreV1Api core = new CoreV1Api(client);
        DiscoveryV1Api discovery = new DiscoveryV1Api(client);
        Consumer<ObjectRejectedException> rejected = e -> problems.accept(
                new Problem(e.object() + " from the API server", e.fields() + "; skipped"));
        try {
            return new ClusterObjects(
                    ApiLists.execute(core.listServiceForAllNamespaces().labelSelector(selection.labelSelector())
                            .buildCall(null), ResourceDecoder.SERVICES, rejected).getItems(),
                    ApiLists.execute(discovery.listEndpointSliceForAllNamespaces()
                            .labelSelector(selection.labelSelector()).buildCall(null),
                            ResourceDecoder.ENDPOINT_SLICES, rejected).getItems(),
                    ApiLists.execute(core.listNode().fieldSelector("metadata.name=" + nodeName).buildCall(null),
                            ResourceDecoder.NODES, rejected).getItems());
        } catch (ApiException e) {
            throw new IllegalStateException("listing from the API server failed: " + ApiLists.describe(e), e);
        }
    }
}
