package io.switchyard.agent.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The process's metrics registry: Micrometer's Prometheus registry (for meters named the
 * Micrometer way, with the JVM's memory, GC, thread and class-loading meters bound), over the
 * Prometheus registry it writes to, on which the families that must match kube-proxy's names
 * exactly ({@link ProxyMetrics}) and the standard {@code process_*} metrics are registered
 * directly. One {@link #scrape()} returns all of them.
 */
public final class MetricsRegistry implements AutoCloseable {

    private final PrometheusRegistry prometheus = new PrometheusRegistry();
    private final PrometheusMeterRegistry micrometer;
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    public MetricsRegistry() {
        micrometer = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, prometheus, Clock.SYSTEM);
        new JvmMemoryMetrics().bindTo(micrometer);
        new JvmThreadMetrics().bindTo(micrometer);
        new ClassLoaderMetrics().bindTo(micrometer);
        gcMetrics.bindTo(micrometer);
        // process_cpu_seconds_total, process_resident_memory_bytes, process_open_fds, ...: the
        // names Go's process collector gives kube-proxy.
        ProcessMetrics.builder().register(prometheus);
    }

    /** For meters that may be named the Micrometer way. */
    public PrometheusMeterRegistry micrometer() {
        return micrometer;
    }

    /** For metrics whose exposition name must be exact. */
    public PrometheusRegistry prometheus() {
        return prometheus;
    }

    public MetricSnapshots scrape() {
        return prometheus.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        micrometer.close();
    }
}
