package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Implements all three handlers: current objects by namespace/name, an event log, synced counts. */
final class Recorder implements ServiceHandler, EndpointSliceHandler, NodeHandler {
    final Map<String, V1Service> services = new TreeMap<>();
    final Map<String, V1EndpointSlice> slices = new TreeMap<>();
    final Map<String, V1Node> nodes = new TreeMap<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    final Map<String, List<String>> atSynced = new ConcurrentHashMap<>();
    final Map<String, KubernetesObject[]> lastUpdate = new ConcurrentHashMap<>();
    final AtomicInteger servicesSynced = new AtomicInteger();
    final AtomicInteger slicesSynced = new AtomicInteger();
    final AtomicInteger nodeSynced = new AtomicInteger();
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();
    volatile long addDelayMillis;

    @Override
    public void onServiceAdd(V1Service service) {
        call(() -> {
            pause();
            put(services, service);
            events.add("ADD Service " + key(service));
        });
    }

    @Override
    public void onServiceUpdate(V1Service oldService, V1Service service) {
        call(() -> {
            put(services, service);
            lastUpdate.put("Service", new KubernetesObject[] {oldService, service});
            events.add("UPDATE Service " + key(service));
        });
    }

    @Override
    public void onServiceDelete(V1Service service) {
        call(() -> {
            services.remove(key(service));
            events.add("DELETE Service " + key(service));
        });
    }

    @Override
    public void onServicesSynced() {
        call(() -> synced("Service", servicesSynced, services));
    }

    @Override
    public void onEndpointSliceAdd(V1EndpointSlice slice) {
        call(() -> {
            put(slices, slice);
            events.add("ADD EndpointSlice " + key(slice));
        });
    }

    @Override
    public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        call(() -> {
            put(slices, slice);
            events.add("UPDATE EndpointSlice " + key(slice));
        });
    }

    @Override
    public void onEndpointSliceDelete(V1EndpointSlice slice) {
        call(() -> {
            slices.remove(key(slice));
            events.add("DELETE EndpointSlice " + key(slice));
        });
    }

    @Override
    public void onEndpointSlicesSynced() {
        call(() -> synced("EndpointSlice", slicesSynced, slices));
    }

    @Override
    public void onNodeAdd(V1Node node) {
        call(() -> {
            put(nodes, node);
            events.add("ADD Node " + key(node));
        });
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node node) {
        call(() -> {
            put(nodes, node);
            events.add("UPDATE Node " + key(node));
        });
    }

    @Override
    public void onNodeDelete(V1Node node) {
        call(() -> {
            nodes.remove(key(node));
            events.add("DELETE Node " + key(node));
        });
    }

    @Override
    public void onNodeSynced() {
        call(() -> synced("Node", nodeSynced, nodes));
    }

    synchronized List<String> serviceKeys() {
        return List.copyOf(services.keySet());
    }

    synchronized List<String> sliceKeys() {
        return List.copyOf(slices.keySet());
    }

    synchronized List<String> nodeKeys() {
        return List.copyOf(nodes.keySet());
    }

    synchronized V1Service service(String key) {
        return services.get(key);
    }

    synchronized V1EndpointSlice slice(String key) {
        return slices.get(key);
    }

    synchronized V1Node node(String key) {
        return nodes.get(key);
    }

    List<Integer> syncedCounts() {
        return List.of(servicesSynced.get(), slicesSynced.get(), nodeSynced.get());
    }

    /** Runs a handler call, noting any overlap with another (the source promises none). */
    private void call(Runnable body) {
        if (active.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
        }
        try {
            synchronized (this) {
                body.run();
            }
        } finally {
            active.decrementAndGet();
        }
    }

    private void synced(String kind, AtomicInteger count, Map<String, ?> current) {
        atSynced.put(kind, List.copyOf(current.keySet()));
        count.incrementAndGet();
        events.add("SYNCED " + kind);
    }

    private void pause() {
        if (addDelayMillis > 0) {
            try {
                Thread.sleep(addDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T extends KubernetesObject> void put(Map<String, T> map, T object) {
        map.put(key(object), object);
    }

    private static String key(KubernetesObject object) {
        V1ObjectMeta meta = object.getMetadata();
        return (meta.getNamespace() == null ? "" : meta.getNamespace() + "/") + meta.getName();
    }
}
