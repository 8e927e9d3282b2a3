package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1Node;

/** Receives events about the local Node (labels drive topology), as kube-proxy's NodeHandler does. */
public interface NodeHandler {

    void onNodeAdd(V1Node node);

    void onNodeUpdate(V1Node oldNode, V1Node node);

    void onNodeDelete(V1Node node);

    /** Called once, after the initial list has been delivered. */
    void onNodeSynced();
}
