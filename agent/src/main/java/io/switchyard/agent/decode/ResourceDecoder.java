package io.switchyard.agent.decode;

import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;

import java.util.function.Consumer;

/**
 * Everything needed to decode one resource the proxy watches: its objects, its LIST responses
 * and its watch events, the same way from the API server and from manifests.
 *
 * @param <T> the object model
 * @param <L> the list model
 */
public final class ResourceDecoder<T extends KubernetesObject, L extends KubernetesListObject> {

    public static final ResourceDecoder<V1Service, V1ServiceList> SERVICES = new ResourceDecoder<>(
            new ServiceAdapter(), "v1",
            (apiVersion, kind, meta, items) -> new V1ServiceList().apiVersion(apiVersion).kind(kind).metadata(meta)
                    .items(items));
    public static final ResourceDecoder<V1EndpointSlice, V1EndpointSliceList> ENDPOINT_SLICES = new ResourceDecoder<>(
            new EndpointSliceAdapter(), "discovery.k8s.io/v1",
            (apiVersion, kind, meta, items) -> new V1EndpointSliceList().apiVersion(apiVersion).kind(kind)
                    .metadata(meta).items(items));
    public static final ResourceDecoder<V1Node, V1NodeList> NODES = new ResourceDecoder<>(
            new NodeAdapter(), "v1",
            (apiVersion, kind, meta, items) -> new V1NodeList().apiVersion(apiVersion).kind(kind).metadata(meta)
                    .items(items));

    private final ObjectAdapter<T> objects;
    private final String apiVersion;
    private final ListAdapter.Factory<T, L> lists;
    private final WatchEventAdapter<T> events;

    private ResourceDecoder(ObjectAdapter<T> objects, String apiVersion, ListAdapter.Factory<T, L> lists) {
        this.objects = objects;
        this.apiVersion = apiVersion;
        this.lists = lists;
        this.events = new WatchEventAdapter<>(objects);
    }

    /** The kind, e.g. {@code EndpointSlice}. */
    public String kind() {
        return objects.kind();
    }

    /** The only API version of the kind the proxy reads, e.g. {@code discovery.k8s.io/v1}. */
    public String apiVersion() {
        return apiVersion;
    }

    public ObjectAdapter<T> objects() {
        return objects;
    }

    /** A LIST decoder handing each rejected item to {@code rejected}. */
    public ListAdapter<T, L> lists(Consumer<ObjectRejectedException> rejected) {
        return new ListAdapter<>(objects, lists, rejected);
    }

    public WatchEventAdapter<T> events() {
        return events;
    }
}
