package io.switchyard.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.switchyard.agent.healthcheck.ProbeRecorder;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.rules.model.IpFamily;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalLong;

/**
 * kube-proxy v1.32's metrics ({@code pkg/proxy/metrics}), fed by the proxiers as a
 * {@link SyncListener} and by the health server as a {@link ProbeRecorder}. The families are
 * registered directly on the Prometheus registry, so names, types, help (with component-base's
 * {@code [ALPHA]} mark), labels and buckets come out exactly as kube-proxy's; which families
 * exist depends on the proxy mode, as in kube-proxy's RegisterMetrics.
 *
 * <p>As in v1.32 there is no {@code ip_family} label: in dual-stack both families' proxiers feed
 * the same series, so gauges show whichever family wrote last and counters and histograms add up
 * both (Service events reach both families' trackers and count twice, as in kube-proxy).
 */
public final class ProxyMetrics implements SyncListener, ProbeRecorder {

    /** component-base prefixes the help of every ALPHA metric with this. */
    static final String ALPHA = "[ALPHA] ";
    /** The nfacct object kube-proxy's rules count conntrack-invalid drops with. */
    public static final String INVALID_DROP_COUNTER = "ct_state_invalid_dropped_pkts";
    /** The nfacct object kube-proxy's rules count localhost node-port packets with. */
    public static final String LOCALHOST_NODE_PORT_COUNTER = "localhost_nps_accepted_pkts";

    private final InstantSource clock;

    private final Histogram syncDuration;
    private final Gauge lastQueued;
    private final Gauge lastSynced;
    private final Gauge endpointChangesPending;
    private final Counter endpointChangesTotal;
    private final Gauge serviceChangesPending;
    private final Counter serviceChangesTotal;
    private final Counter healthzTotal;
    private final Counter livezTotal;
    private final Histogram networkProgramming;
    private final Gauge noLocalEndpoints;
    private final Counter restoreFailures;
    private final Counter driftRepairs;
    /** The families only the iptables mode registers; null in ipvs mode. */
    private final IptablesFamilies iptables;

    private record IptablesFamilies(Histogram fullSyncDuration, Histogram partialSyncDuration,
                                    Counter partialRestoreFailures, Gauge rules, Gauge rulesWritten) {
    }

    /**
     * @param registry the Prometheus registry under Micrometer's ({@link MetricsRegistry#prometheus()})
     * @param proxyMode {@code iptables} or {@code ipvs}: decides the families, as in kube-proxy
     * @param clock    stamps the queued time and ages the trigger times
     * @param packets  reads kube-proxy's nfacct counters (iptables mode)
     */
    public ProxyMetrics(PrometheusRegistry registry, String proxyMode, InstantSource clock, PacketCounters packets) {
        boolean iptablesMode = switch (proxyMode) {
            case "iptables" -> true;
            case "ipvs" -> false;
            default -> throw new IllegalArgumentException("no metrics for proxy mode \"" + proxyMode + "\"");
        };
        this.clock = clock;
        syncDuration = histogram(registry, "kubeproxy_sync_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds", syncBuckets());
        lastQueued = gauge(registry, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
                "The last time a sync of proxy rules was queued");
        lastSynced = gauge(registry, "kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                "The last time proxy rules were successfully synced");
        endpointChangesPending = gauge(registry, "kubeproxy_sync_proxy_rules_endpoint_changes_pending",
                "Pending proxy rules Endpoint changes");
        endpointChangesTotal = counter(registry, "kubeproxy_sync_proxy_rules_endpoint_changes_total",
                "Cumulative proxy rules Endpoint changes");
        serviceChangesPending = gauge(registry, "kubeproxy_sync_proxy_rules_service_changes_pending",
                "Pending proxy rules Service changes");
        serviceChangesTotal = counter(registry, "kubeproxy_sync_proxy_rules_service_changes_total",
                "Cumulative proxy rules Service changes");
        healthzTotal = counter(registry, "kubeproxy_proxy_healthz_total", "Cumulative proxy healthz HTTP status", "code");
        livezTotal = counter(registry, "kubeproxy_proxy_livez_total", "Cumulative proxy livez HTTP status", "code");
        networkProgramming = histogram(registry, "kubeproxy_network_programming_duration_seconds",
                "In Cluster Network Programming Latency in seconds", networkProgrammingBuckets());
        noLocalEndpoints = gauge(registry, "kubeproxy_sync_proxy_rules_no_local_endpoints_total",
                "Number of services with a Local traffic policy and no endpoints", "traffic_policy");
        // kube-proxy registers it in iptables and ipvs mode (both restore iptables rules).
        restoreFailures = counter(registry, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total",
                "Cumulative proxy iptables restore failures");
        driftRepairs = counter(registry, "kubeproxy_sync_proxy_rules_drift_repairs_total",
                "Cumulative times the kernel was found to differ from the rules the proxy applied, "
                        + "each followed by a repairing sync");
        if (iptablesMode) {
            iptables = new IptablesFamilies(
                    histogram(registry, "kubeproxy_sync_full_proxy_rules_duration_seconds",
                            "SyncProxyRules latency in seconds for full resyncs", syncBuckets()),
                    histogram(registry, "kubeproxy_sync_partial_proxy_rules_duration_seconds",
                            "SyncProxyRules latency in seconds for partial resyncs", syncBuckets()),
                    counter(registry, "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total",
                            "Cumulative proxy iptables partial restore failures"),
                    gauge(registry, "kubeproxy_sync_proxy_rules_iptables_total",
                            "Total number of iptables rules owned by kube-proxy", "table"),
                    gauge(registry, "kubeproxy_sync_proxy_rules_iptables_last",
                            "Number of iptables rules written by kube-proxy in last sync", "table"));
            registry.register(nfacctCollector("kubeproxy_iptables_ct_state_invalid_dropped_packets",
                    "packets dropped by iptables to work around conntrack problems", INVALID_DROP_COUNTER, packets));
            registry.register(nfacctCollector("kubeproxy_iptables_localhost_nodeports_accepted_packets",
                    "Number of packets accepted on nodeports of loopback interface", LOCALHOST_NODE_PORT_COUNTER,
                    packets));
        } else {
            iptables = null;
        }
    }

    // kube-proxy's metrics carry no exemplars; leaving them out also keeps the tracer libraries away.

    private static Counter counter(PrometheusRegistry registry, String name, String help, String... labels) {
        return Counter.builder().name(name).help(ALPHA + help).labelNames(labels).withoutExemplars().register(registry);
    }

    private static Gauge gauge(PrometheusRegistry registry, String name, String help, String... labels) {
        return Gauge.builder().name(name).help(ALPHA + help).labelNames(labels).withoutExemplars().register(registry);
    }

    private static Histogram histogram(PrometheusRegistry registry, String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(ALPHA + help).classicOnly().classicUpperBounds(buckets)
                .withoutExemplars().register(registry);
    }

    /** kube-proxy's sync latency buckets: 1 ms doubling 15 times (up to 16.384 s). */
    static double[] syncBuckets() {
        double[] bounds = new double[15];
        double bound = 0.001;
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = bound;
            bound *= 2;
        }
        return bounds;
    }

    /**
     * kube-proxy's network programming buckets: component-base's MergeBuckets starts with a 0
     * bucket, then 0.25 s and 0.5 s, every second to 59 s, every 5 s to 115 s, every 30 s to 5 min.
     */
    static double[] networkProgrammingBuckets() {
        double[] bounds = new double[1 + 2 + 59 + 12 + 7];
        int i = 0;
        bounds[i++] = 0;
        for (int k = 0; k < 2; k++) {
            bounds[i++] = 0.25 + 0.25 * k;
        }
        for (int k = 0; k < 59; k++) {
            bounds[i++] = 1 + k;
        }
        for (int k = 0; k < 12; k++) {
            bounds[i++] = 60 + 5 * k;
        }
        for (int k = 0; k < 7; k++) {
            bounds[i++] = 120 + 30 * k;
        }
        return bounds;
    }

    /** kube-proxy's nfacct collectors: a counter read at scrape time, absent when unreadable. */
    private static Collector nfacctCollector(String name, String help, String counter, PacketCounters packets) {
        return () -> {
            OptionalLong value = packets.packets(counter);
            if (value.isEmpty()) {
                return null;
            }
            return CounterSnapshot.builder().name(name).help(ALPHA + help)
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value.getAsLong()).build())
                    .build();
        };
    }

    // ---- what the proxiers report ------------------------------------------------------------

    /**
     * As kube-proxy's change trackers: every event counts in the totals; a Service event sets the
     * Service gauge to the Services now waiting, a changing EndpointSlice event adds one pending
     * Endpoint change.
     */
    @Override
    public void eventRecorded(IpFamily family, Kind kind, boolean changed, int pending) {
        switch (kind) {
            case SERVICE -> {
                serviceChangesTotal.inc();
                serviceChangesPending.set(pending);
            }
            case ENDPOINT_SLICE -> {
                endpointChangesTotal.inc();
                if (changed) {
                    endpointChangesPending.inc();
                }
            }
        }
    }

    /** As kube-proxy's SyncLoop: the start of the loop counts as the last queued change. */
    @Override
    public void syncLoopStarted(IpFamily family) {
        lastQueued.set(epochSeconds(clock.instant()));
    }

    /** As kube-proxy: a sync that takes the pending changes sets both pending gauges back to 0. */
    @Override
    public void syncStarted(IpFamily family) {
        endpointChangesPending.set(0);
        serviceChangesPending.set(0);
    }

    @Override
    public void syncQueued(IpFamily family) {
        lastQueued.set(epochSeconds(clock.instant()));
    }

    @Override
    public void driftDetected(IpFamily family, DriftCheck check) {
        driftRepairs.inc();
    }

    /**
     * As kube-proxy's syncProxyRules: the latencies of every sync (full or partial), and on success the network programming latency of
     * each trigger time, the no-local-endpoints and rule gauges and the last sync time; on failure
     * the restore failure counters.
     */
    @Override
    public void syncCompleted(SyncReport report) {
        double seconds = seconds(report.elapsed());
        syncDuration.observe(seconds);
        if (iptables != null) {
            (report.full() ? iptables.fullSyncDuration() : iptables.partialSyncDuration()).observe(seconds);
        }
        switch (report.outcome()) {
            case SyncOutcome.Applied applied -> {
                for (List<Instant> triggers : report.triggerTimes().values()) {
                    for (Instant trigger : triggers) {
                        networkProgramming.observe(seconds(Duration.between(trigger, report.finished())));
                    }
                }
                noLocalEndpoints.labelValues("internal").set(applied.noLocalEndpointsInternal());
                noLocalEndpoints.labelValues("external").set(applied.noLocalEndpointsExternal());
                if (iptables != null) {
                    applied.iptablesRules().forEach((table, rules) -> iptables.rules().labelValues(table).set(rules));
                    applied.iptablesRulesWritten().forEach((table, rules) ->
                            iptables.rulesWritten().labelValues(table).set(rules));
                }
                lastSynced.set(epochSeconds(report.finished()));
                // A Service the kernel refused while the rest was applied is a restore failure too.
                applied.refused().forEach(this::countFailure);
            }
            case SyncOutcome.Failed failed -> countFailure(failed);
        }
    }

    private void countFailure(SyncOutcome.Failed failed) {
        switch (failed.stage()) {
            case IPTABLES_RESTORE -> restoreFailures.inc();
            case IPTABLES_PARTIAL_RESTORE -> {
                if (iptables != null) {
                    iptables.partialRestoreFailures().inc();
                } else {
                    restoreFailures.inc();
                }
            }
            case KERNEL, INTERNAL -> {
                // kube-proxy counts no other failure.
            }
        }
    }

    @Override
    public void served(Probe probe, int status) {
        (probe == Probe.HEALTHZ ? healthzTotal : livezTotal).labelValues(Integer.toString(status)).inc();
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static double epochSeconds(Instant instant) {
        return instant.getEpochSecond() + instant.getNano() / 1e9;
    }
}
