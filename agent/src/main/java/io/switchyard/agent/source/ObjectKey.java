package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.Problem;

/**
 * Which object a manifest describes, across reads and files: its kind, namespace and name. A
 * Service or EndpointSlice without a namespace is in {@code default}, as kubectl would create
 * it; a Node has none.
 */
record ObjectKey(String kind, String namespace, String name) {

    /** The key of a decoded object, or null when it has no name. */
    static ObjectKey of(KubernetesObject object) {
        String kind = switch (object) {
            case V1Service s -> "Service";
            case V1EndpointSlice s -> "EndpointSlice";
            case V1Node n -> "Node";
            default -> object.getKind();
        };
        V1ObjectMeta meta = object.getMetadata();
        return of(kind, meta == null ? null : meta.getNamespace(), meta == null ? null : meta.getName());
    }

    /** The key of an object of {@code kind}, or null when it has no name to be known by. */
    static ObjectKey of(String kind, String namespace, String name) {
        if (kind == null || name == null || name.isEmpty()) {
            return null;
        }
        boolean clusterScoped = kind.equals("Node");
        return new ObjectKey(kind, clusterScoped ? "" : namespace == null || namespace.isEmpty() ? "default" : namespace,
                name);
    }

    @Override
    public String toString() {
        return Problem.describe(kind, namespace.isEmpty() ? null : namespace, name);
    }
}
