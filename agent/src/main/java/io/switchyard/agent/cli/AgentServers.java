package io.switchyard.agent.cli;

import io.switchyard.agent.config.ProxySettings;
import io.switchyard.agent.exec.ProcessRunner;
import io.switchyard.agent.healthcheck.ProxyHealthServer;
import io.switchyard.agent.healthcheck.ServiceHealthServer;
import io.switchyard.agent.metrics.MetricsRegistry;
import io.switchyard.agent.metrics.MetricsServer;
import io.switchyard.agent.metrics.NfacctPackets;
import io.switchyard.agent.metrics.ProxyMetrics;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.source.NodeHandler;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.List;

/**
 * What {@code switchyard run} serves besides programming the kernel, wired as kube-proxy wires
 * it: the proxy health server (/healthz, /livez), the health-check node ports of eTP-Local load
 * balancers, and the metrics server (/metrics, /proxyMode). Each listens only when its bind
 * address is set; health is tracked either way, because the health-check ports report it.
 */
final class AgentServers implements AutoCloseable {

    private final ProxyHealthServer health;
    private final ServiceHealthServer serviceHealth;
    private final MetricsRegistry registry;
    private final ProxyMetrics metrics;
    private final MetricsServer metricsServer;

    AgentServers(ProxySettings settings, ProcessRunner processes, InstantSource clock) {
        registry = new MetricsRegistry();
        metrics = new ProxyMetrics(registry.prometheus(), settings.proxyMode(), clock, new NfacctPackets(processes));
        InetSocketAddress healthz = settings.healthzBindAddress().map(b -> b.socketAddress())
                .orElse(new InetSocketAddress(0));
        health = new ProxyHealthServer(healthz, settings.syncPeriod(), clock, settings.bindAddressHardFail(), metrics);
        serviceHealth = new ServiceHealthServer(List.of(), health);
        metricsServer = settings.metricsBindAddress()
                .map(b -> new MetricsServer(b.socketAddress(), settings.proxyMode(), registry, settings.bindAddressHardFail()))
                .orElse(null);
        if (settings.healthzBindAddress().isPresent()) {
            health.start();
        }
        if (metricsServer != null) {
            metricsServer.start();
        }
    }

    /** What every family's proxier reports to. */
    List<SyncListener> listeners() {
        return List.of(health, serviceHealth, metrics);
    }

    /** The health server follows the Node too (a Node being deleted is not eligible). */
    NodeHandler nodeWatcher() {
        return health;
    }

    @Override
    public void close() {
        if (metricsServer != null) {
            metricsServer.close();
        }
        serviceHealth.close();
        health.close();
        registry.close();
    }
}
