package io.switchyard.bench;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.ProxySelection;
import io.switchyard.agent.tracking.ClusterSnapshot;
import io.switchyard.rules.iptables.IptablesConfig;
import io.switchyard.rules.iptables.IptablesRenderer;
import io.switchyard.rules.model.Cidr;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.LocalNode;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;

import java.util.List;

/** The shared fixture of every benchmark, so they all measure the same generated cluster the same way. */
public final class BenchClusters {

    /** Endpoints per Service in every benchmark (one EndpointSlice, one TCP port each). */
    public static final int ENDPOINTS_PER_SERVICE = 10;
    /** The generator's seed; {@code switchyard bench} defaults to the same one. */
    public static final long SEED = 1;
    /** Restore transactions are split above this many lines, as the agent does by default. */
    public static final int MAX_TRANSACTION_LINES = 1500;

    private BenchClusters() {
    }

    /** The generator for a cluster of {@code services} Services. */
    public static ClusterGenerator generator(int services) {
        return new ClusterGenerator(services, ENDPOINTS_PER_SERVICE, SEED);
    }

    /** The Kubernetes objects (V1Service, V1EndpointSlice, V1Node) of a generated cluster. */
    public static ClusterObjects objects(int services) {
        return generator(services).generate();
    }

    /** The IPv4 state as the generated cluster's node sees it, through the agent's change tracker. */
    public static ClusterSnapshot snapshot(ClusterObjects objects) {
        return ClusterSnapshot.of(IpFamily.IPV4, ClusterGenerator.NODE, new ProxySelection(""), objects);
    }

    /** Converts the objects, failing loudly if the generator produced anything the converters reject. */
    public static ClusterSnapshot build(ClusterObjects objects) {
        ClusterSnapshot result = snapshot(objects);
        if (!result.problems().isEmpty()) {
            throw new IllegalStateException("generated cluster has problems: " + result.problems());
        }
        if (result.state().services().size() != objects.services().size()) {
            throw new IllegalStateException("expected " + objects.services().size() + " service ports, got "
                    + result.state().services().size());
        }
        return result;
    }

    /** kube-proxy's default IPv4 iptables settings for the node (ClusterCIDR local detection). */
    public static IptablesConfig iptablesConfig(LocalNode node) {
        ProxySettings settings = ProxySettings.defaults(ClusterGenerator.NODE,
                List.of(Cidr.parse(ClusterGenerator.CLUSTER_CIDR)));
        return settings.iptablesConfig(IpFamily.IPV4, node);
    }

    /** A renderer with the default settings, as the agent's proxier holds one per node. */
    public static IptablesRenderer renderer(LocalNode node) {
        return new IptablesRenderer(iptablesConfig(node));
    }

    /** The name of the single port ({@code http}/TCP) of generated Service {@code i}. */
    public static ServicePortName portOf(int i) {
        return new ServicePortName(ClusterGenerator.namespace(i), ClusterGenerator.name(i), "http", Protocol.TCP);
    }
}
