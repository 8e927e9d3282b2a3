package io.switchyard.agent.proxy;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.source.EndpointSliceHandler;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.agent.source.ServiceHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hands every event to each family's {@link Proxier}: dual-stack as a thin wrapper around
 * single-family proxiers, as kube-proxy's metaproxier.
 */
public final class DualStackProxier implements ServiceHandler, EndpointSliceHandler, NodeHandler, AutoCloseable {

    private final List<Proxier> proxiers;
    private final List<NodeHandler> nodeWatchers;

    public DualStackProxier(List<Proxier> proxiers) {
        this(proxiers, List.of());
    }

    /** @param nodeWatchers others that follow the local Node too (the health server) */
    public DualStackProxier(List<Proxier> proxiers, List<NodeHandler> nodeWatchers) {
        this.proxiers = List.copyOf(proxiers);
        this.nodeWatchers = List.copyOf(nodeWatchers);
    }

    public List<Proxier> proxiers() {
        return proxiers;
    }

    /** Starts every family's sync loop. */
    public void start() {
        proxiers.forEach(Proxier::start);
    }

    /** Holds every family's syncs while a batch of events is delivered; see {@link Proxier#deferSyncs()}. */
    public Proxier.Batch deferSyncs() {
        List<Proxier.Batch> held = new ArrayList<>(proxiers.size());
        proxiers.forEach(p -> held.add(p.deferSyncs()));
        return () -> held.reversed().forEach(Proxier.Batch::close);
    }

    @Override
    public void onServiceAdd(V1Service service) {
        proxiers.forEach(p -> p.onServiceAdd(service));
    }

    @Override
    public void onServiceUpdate(V1Service oldService, V1Service service) {
        proxiers.forEach(p -> p.onServiceUpdate(oldService, service));
    }

    @Override
    public void onServiceDelete(V1Service service) {
        proxiers.forEach(p -> p.onServiceDelete(service));
    }

    @Override
    public void onServicesSynced() {
        proxiers.forEach(Proxier::onServicesSynced);
    }

    @Override
    public void onEndpointSliceAdd(V1EndpointSlice slice) {
        proxierFor(slice).ifPresent(p -> p.onEndpointSliceAdd(slice));
    }

    @Override
    public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        proxierFor(slice).ifPresent(p -> p.onEndpointSliceUpdate(oldSlice, slice));
    }

    @Override
    public void onEndpointSliceDelete(V1EndpointSlice slice) {
        proxierFor(slice).ifPresent(p -> p.onEndpointSliceDelete(slice));
    }

    /**
     * A slice goes only to the proxier of its address type, as kube-proxy's metaproxier routes
     * them: the other family would ignore it anyway, and must not count it as an event.
     */
    private Optional<Proxier> proxierFor(V1EndpointSlice slice) {
        String addressType = slice == null ? null : slice.getAddressType();
        for (Proxier proxier : proxiers) {
            if (proxier.family().apiName().equals(addressType)) {
                return Optional.of(proxier);
            }
        }
        return Optional.empty();
    }

    @Override
    public void onEndpointSlicesSynced() {
        proxiers.forEach(Proxier::onEndpointSlicesSynced);
    }

    @Override
    public void onNodeAdd(V1Node node) {
        proxiers.forEach(p -> p.onNodeAdd(node));
        nodeWatchers.forEach(w -> w.onNodeAdd(node));
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node node) {
        proxiers.forEach(p -> p.onNodeUpdate(oldNode, node));
        nodeWatchers.forEach(w -> w.onNodeUpdate(oldNode, node));
    }

    @Override
    public void onNodeDelete(V1Node node) {
        proxiers.forEach(p -> p.onNodeDelete(node));
        nodeWatchers.forEach(w -> w.onNodeDelete(node));
    }

    @Override
    public void onNodeSynced() {
        proxiers.forEach(Proxier::onNodeSynced);
        nodeWatchers.forEach(NodeHandler::onNodeSynced);
    }

    @Override
    public void close() {
        proxiers.forEach(Proxier::close);
    }
}
