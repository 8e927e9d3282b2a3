package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1Service;

/** Receives Service events from a source, as kube-proxy's ServiceHandler does. */
public interface ServiceHandler {

    void onServiceAdd(V1Service service);

    void onServiceUpdate(V1Service oldService, V1Service service);

    void onServiceDelete(V1Service service);

    /** Called once, after the initial list has been delivered. */
    void onServicesSynced();
}
