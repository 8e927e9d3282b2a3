package io.switchyard.agent.iptables;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.source.EndpointSliceHandler;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.agent.source.ServiceHandler;

import java.util.List;

/** Hands every event to each family's proxier: dual-stack as a thin wrapper, as kube-proxy's metaproxier. */
public final class ProxierFanout implements ServiceHandler, EndpointSliceHandler, NodeHandler {

    private final List<IptablesProxier> proxiers;

    public ProxierFanout(List<IptablesProxier> proxiers) {
        this.proxiers = List.copyOf(proxiers);
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
        proxiers.forEach(IptablesProxier::onServicesSynced);
    }

    @Override
    public void onEndpointSliceAdd(V1EndpointSlice slice) {
        proxiers.forEach(p -> p.onEndpointSliceAdd(slice));
    }

    @Override
    public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        proxiers.forEach(p -> p.onEndpointSliceUpdate(oldSlice, slice));
    }

    @Override
    public void onEndpointSliceDelete(V1EndpointSlice slice) {
        proxiers.forEach(p -> p.onEndpointSliceDelete(slice));
    }

    @Override
    public void onEndpointSlicesSynced() {
        proxiers.forEach(IptablesProxier::onEndpointSlicesSynced);
    }

    @Override
    public void onNodeAdd(V1Node node) {
        proxiers.forEach(p -> p.onNodeAdd(node));
    }

    @Override
    public void onNodeUpdate(V1Node oldNode, V1Node node) {
        proxiers.forEach(p -> p.onNodeUpdate(oldNode, node));
    }

    @Override
    public void onNodeDelete(V1Node node) {
        proxiers.forEach(p -> p.onNodeDelete(node));
    }

    @Override
    public void onNodeSynced() {
        proxiers.forEach(IptablesProxier::onNodeSynced);
    }
}
