package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1EndpointSlice;

/** Receives EndpointSlice events from a source, as kube-proxy's EndpointSliceHandler does. */
public interface EndpointSliceHandler {

    void onEndpointSliceAdd(V1EndpointSlice slice);

    void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice);

    void onEndpointSliceDelete(V1EndpointSlice slice);

    /** Called once, after the initial list has been delivered. */
    void onEndpointSlicesSynced();
}
