package io.switchyard.bench;

import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.switchyard.agent.source.ClusterObjects;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The generated cluster as an API server serves it: every object carries what the server and
 * controllers add (uid, resourceVersion, creationTimestamp, generation, managedFields, owner
 * references, endpoint target references, the slice's trigger-time annotation, the selector
 * and app label) with fields client-java 27 knows, so that its own decoding can read them too.
 */
public final class ServerObjects {

    private static final OffsetDateTime CREATED = OffsetDateTime.of(2026, 3, 1, 10, 0, 0, 0, ZoneOffset.UTC);

    private final List<V1Service> services;
    private final List<V1EndpointSlice> slices;

    /** Dresses the objects of a generated cluster, in place. */
    public ServerObjects(ClusterObjects cluster) {
        this.services = cluster.services();
        this.slices = cluster.endpointSlices();
        for (int i = 0; i < services.size(); i++) {
            dress(services.get(i), i);
        }
        for (int i = 0; i < slices.size(); i++) {
            dress(slices.get(i), services.get(i), i);
        }
    }

    public List<V1Service> services() {
        return services;
    }

    public List<V1EndpointSlice> slices() {
        return slices;
    }

    /** The Services' LIST response body, as JSON. */
    public byte[] serviceListJson() {
        return JSON.serialize(new V1ServiceList().apiVersion("v1").kind("ServiceList")
                .metadata(new V1ListMeta().resourceVersion("999999")).items(withoutTypeMeta(services)))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The EndpointSlices' LIST response body, as JSON. */
    public byte[] sliceListJson() {
        return JSON.serialize(new V1EndpointSliceList().apiVersion("discovery.k8s.io/v1").kind("EndpointSliceList")
                .metadata(new V1ListMeta().resourceVersion("999999")).items(withoutTypeMeta(slices)))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** List items carry no kind or apiVersion: the list says them once. */
    private static <T> List<T> withoutTypeMeta(List<T> items) {
        List<T> copies = items.stream().map(item -> JSON.deserialize(JSON.serialize(item), item.getClass()))
                .map(item -> {
                    @SuppressWarnings("unchecked")
                    T typed = (T) item;
                    return typed;
                }).toList();
        for (T item : copies) {
            switch (item) {
                case V1Service s -> s.kind(null).apiVersion(null);
                case V1EndpointSlice s -> s.kind(null).apiVersion(null);
                default -> throw new IllegalArgumentException(item.getClass().getName());
            }
        }
        return copies;
    }

    private static void dress(V1Service service, int i) {
        String name = service.getMetadata().getName();
        service.getMetadata().uid(uid("svc", i)).resourceVersion(Integer.toString(100_000 + 2 * i))
                .creationTimestamp(CREATED.plusSeconds(i)).labels(Map.of("app", name))
                .managedFields(List.of(new V1ManagedFieldsEntry().manager("kubectl-client-side-apply")
                        .operation("Update").apiVersion("v1").time(CREATED.plusSeconds(i)).fieldsType("FieldsV1")
                        .fieldsV1(fields("{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{"
                                + "\"f:internalTrafficPolicy\":{},\"f:ports\":{\".\":{},\"k:{\\\"port\\\":80,"
                                + "\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:name\":{},\"f:port\":{},"
                                + "\"f:protocol\":{},\"f:targetPort\":{}}},\"f:selector\":{},"
                                + "\"f:sessionAffinity\":{},\"f:type\":{}}}"))));
        service.getSpec().selector(Map.of("app", name));
        if (service.getStatus() == null) {
            service.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus()));
        }
    }

    private static void dress(V1EndpointSlice slice, V1Service service, int i) {
        String serviceName = service.getMetadata().getName();
        Map<String, String> labels = new HashMap<>(slice.getMetadata().getLabels());
        labels.put("app", serviceName);
        labels.put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
        slice.getMetadata().uid(uid("eps", i)).resourceVersion(Integer.toString(100_001 + 2 * i)).generation(3L)
                .generateName(serviceName + "-").creationTimestamp(CREATED.plusSeconds(i)).labels(labels)
                .annotations(Map.of("endpoints.kubernetes.io/last-change-trigger-time",
                        CREATED.plusSeconds(i + 60).toString()))
                .ownerReferences(List.of(new V1OwnerReference().apiVersion("v1").kind("Service").name(serviceName)
                        .uid(service.getMetadata().getUid()).controller(true).blockOwnerDeletion(true)))
                .managedFields(List.of(new V1ManagedFieldsEntry().manager("kube-controller-manager")
                        .operation("Update").apiVersion("discovery.k8s.io/v1").time(CREATED.plusSeconds(i + 60))
                        .fieldsType("FieldsV1").fieldsV1(fields("{\"f:addressType\":{},\"f:endpoints\":{},"
                                + "\"f:metadata\":{\"f:annotations\":{\".\":{},\"f:endpoints.kubernetes.io/"
                                + "last-change-trigger-time\":{}},\"f:generateName\":{},\"f:labels\":{\".\":{},"
                                + "\"f:app\":{},\"f:endpointslice.kubernetes.io/managed-by\":{},"
                                + "\"f:kubernetes.io/service-name\":{}},\"f:ownerReferences\":{\".\":{},"
                                + "\"k:{\\\"uid\\\":\\\"" + service.getMetadata().getUid() + "\\\"}\":{}}},"
                                + "\"f:ports\":{}}"))));
        for (int e = 0; e < slice.getEndpoints().size(); e++) {
            slice.getEndpoints().get(e).targetRef(new V1ObjectReference().kind("Pod")
                    .namespace(slice.getMetadata().getNamespace()).name(serviceName + "-pod-" + e)
                    .uid(uid("pod", i * 1000 + e)));
        }
    }

    private static String uid(String kind, int i) {
        return new UUID(kind.hashCode(), i).toString();
    }

    private static Object fields(String json) {
        return JSON.deserialize(json, Object.class);
    }
}
