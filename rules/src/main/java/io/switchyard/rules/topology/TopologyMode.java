package io.switchyard.rules.topology;

/** Which topology hints a service port's cluster endpoints are filtered by on this node. */
public enum TopologyMode {
    /** No usable hints: every endpoint serves this node. */
    NONE,
    /** Every ready endpoint has zone hints and some name this node's zone. */
    PREFER_SAME_ZONE,
    /** Every ready endpoint has node hints and some name this node. */
    PREFER_SAME_NODE
}
