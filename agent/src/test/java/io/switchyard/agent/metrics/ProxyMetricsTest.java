package io.switchyard.agent.metrics;

import io.switchyard.agent.healthcheck.ManualClock;
import io.switchyard.agent.healthcheck.ProbeRecorder;
import io.switchyard.agent.healthcheck.Reports;
import io.switchyard.agent.healthcheck.TestHttp;
import io.switchyard.agent.proxy.DriftCheck;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * kube-proxy's metrics as a scraper sees them: served over HTTP on loopback, parsed, and compared
 * family by family with kube-proxy v1.32's names, types, help, labels and buckets, while sync
 * reports and events move the values.
 */
class ProxyMetricsTest {

    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    /** kube-proxy v1.32's help texts (component-base adds "[ALPHA] "), and our drift counter's. */
    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("kubeproxy_sync_proxy_rules_duration_seconds", "[ALPHA] SyncProxyRules latency in seconds"),
            Map.entry("kubeproxy_sync_full_proxy_rules_duration_seconds",
                    "[ALPHA] SyncProxyRules latency in seconds for full resyncs"),
            Map.entry("kubeproxy_sync_partial_proxy_rules_duration_seconds",
                    "[ALPHA] SyncProxyRules latency in seconds for partial resyncs"),
            Map.entry("kubeproxy_sync_proxy_rules_last_timestamp_seconds",
                    "[ALPHA] The last time proxy rules were successfully synced"),
            Map.entry("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds",
                    "[ALPHA] The last time a sync of proxy rules was queued"),
            Map.entry("kubeproxy_network_programming_duration_seconds",
                    "[ALPHA] In Cluster Network Programming Latency in seconds"),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "[ALPHA] Pending proxy rules Endpoint changes"),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_total",
                    "[ALPHA] Cumulative proxy rules Endpoint changes"),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_pending", "[ALPHA] Pending proxy rules Service changes"),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_total", "[ALPHA] Cumulative proxy rules Service changes"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_restore_failures_total",
                    "[ALPHA] Cumulative proxy iptables restore failures"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total",
                    "[ALPHA] Cumulative proxy iptables partial restore failures"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_total",
                    "[ALPHA] Total number of iptables rules owned by kube-proxy"),
            Map.entry("kubeproxy_sync_proxy_rules_no_local_endpoints_total",
                    "[ALPHA] Number of services with a Local traffic policy and no endpoints"),
            Map.entry("kubeproxy_proxy_healthz_total", "[ALPHA] Cumulative proxy healthz HTTP status"),
            Map.entry("kubeproxy_proxy_livez_total", "[ALPHA] Cumulative proxy livez HTTP status"),
            Map.entry("kubeproxy_iptables_ct_state_invalid_dropped_packets_total",
                    "[ALPHA] packets dropped by iptables to work around conntrack problems"),
            Map.entry("kubeproxy_iptables_localhost_nodeports_accepted_packets_total",
                    "[ALPHA] Number of packets accepted on nodeports of loopback interface"),
            Map.entry("kubeproxy_sync_proxy_rules_drift_repairs_total",
                    "[ALPHA] Cumulative times the kernel was found to differ from the rules the proxy applied, "
                            + "each followed by a repairing sync"));

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("kubeproxy_sync_proxy_rules_duration_seconds", "histogram"),
            Map.entry("kubeproxy_sync_full_proxy_rules_duration_seconds", "histogram"),
            Map.entry("kubeproxy_sync_partial_proxy_rules_duration_seconds", "histogram"),
            Map.entry("kubeproxy_network_programming_duration_seconds", "histogram"),
            Map.entry("kubeproxy_sync_proxy_rules_last_timestamp_seconds", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_pending", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_pending", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_total", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_no_local_endpoints_total", "gauge"),
            Map.entry("kubeproxy_sync_proxy_rules_endpoint_changes_total", "counter"),
            Map.entry("kubeproxy_sync_proxy_rules_service_changes_total", "counter"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_restore_failures_total", "counter"),
            Map.entry("kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total", "counter"),
            Map.entry("kubeproxy_proxy_healthz_total", "counter"),
            Map.entry("kubeproxy_proxy_livez_total", "counter"),
            Map.entry("kubeproxy_iptables_ct_state_invalid_dropped_packets_total", "counter"),
            Map.entry("kubeproxy_iptables_localhost_nodeports_accepted_packets_total", "counter"),
            Map.entry("kubeproxy_sync_proxy_rules_drift_repairs_total", "counter"));

    /** The label names of each family's samples (le aside). */
    private static final Map<String, Set<String>> LABELS = Map.of(
            "kubeproxy_sync_proxy_rules_iptables_total", Set.of("table"),
            "kubeproxy_sync_proxy_rules_no_local_endpoints_total", Set.of("traffic_policy"),
            "kubeproxy_proxy_healthz_total", Set.of("code"),
            "kubeproxy_proxy_livez_total", Set.of("code"));

    private static final List<String> SYNC_BUCKETS = List.of("0.001", "0.002", "0.004", "0.008", "0.016", "0.032",
            "0.064", "0.128", "0.256", "0.512", "1.024", "2.048", "4.096", "8.192", "16.384", "+Inf");

    private static final List<String> PROGRAMMING_BUCKETS = Stream.of(
            Stream.of("0", "0.25", "0.5"),
            IntStream.rangeClosed(1, 59).mapToObj(Integer::toString),
            IntStream.iterate(60, s -> s <= 115, s -> s + 5).mapToObj(Integer::toString),
            IntStream.iterate(120, s -> s <= 300, s -> s + 30).mapToObj(Integer::toString),
            Stream.of("+Inf")).flatMap(s -> s).toList();

    private final ManualClock clock = new ManualClock(NOW);
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private record Setup(ProxyMetrics metrics, MetricsServer server) {
        Map<String, Exposition.Family> scrape() throws Exception {
            HttpResponse<String> response = TestHttp.get(server.address(), "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            return Exposition.parse(response.body());
        }
    }

    private Setup setup(String mode, PacketCounters packets) {
        MetricsRegistry registry = new MetricsRegistry();
        toClose.add(registry);
        ProxyMetrics metrics = new ProxyMetrics(registry.prometheus(), mode, clock, packets);
        MetricsServer server = new MetricsServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), mode,
                registry, true);
        toClose.add(server);
        server.start();
        return new Setup(metrics, server);
    }

    private static Set<String> kubeProxyFamilies(Map<String, Exposition.Family> families) {
        return families.keySet().stream().filter(n -> n.startsWith("kubeproxy_")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static double value(Map<String, Exposition.Family> families, String family) {
        return families.get(family).sample(family, Map.of()).number();
    }

    private static double labelled(Map<String, Exposition.Family> families, String family, String label, String value) {
        return families.get(family).sample(family, Map.of(label, value)).number();
    }

    private static List<String> bucketBounds(Exposition.Family family) {
        return family.named(family.name() + "_bucket").stream().map(s -> s.labels().get("le")).toList();
    }

    private static long bucket(Exposition.Family family, String le) {
        return (long) family.sample(family.name() + "_bucket", Map.of("le", le)).number();
    }

    private static long count(Exposition.Family family) {
        return (long) family.sample(family.name() + "_count", Map.of()).number();
    }

    @Test
    void everyFamilyIsKubeProxysInNameTypeHelpLabelsAndBuckets() throws Exception {
        Setup setup = setup("iptables", name -> name.equals(ProxyMetrics.INVALID_DROP_COUNTER)
                ? OptionalLong.of(42) : OptionalLong.of(7));
        Map<String, Exposition.Family> before = setup.scrape();
        // Like Go's metric vectors, the labelled families appear with their first sample.
        assertThat(kubeProxyFamilies(before)).doesNotContain("kubeproxy_sync_proxy_rules_iptables_total",
                "kubeproxy_sync_proxy_rules_no_local_endpoints_total", "kubeproxy_proxy_healthz_total",
                "kubeproxy_proxy_livez_total");

        setup.metrics().syncCompleted(Reports.applied(IpFamily.IPV4, NOW));
        setup.metrics().served(ProbeRecorder.Probe.HEALTHZ, 200);
        setup.metrics().served(ProbeRecorder.Probe.LIVEZ, 503);
        Map<String, Exposition.Family> families = setup.scrape();

        assertThat(kubeProxyFamilies(families)).isEqualTo(new TreeSet<>(HELP.keySet()));
        for (String name : HELP.keySet()) {
            Exposition.Family family = families.get(name);
            assertThat(family.type()).as(name).isEqualTo(TYPES.get(name));
            assertThat(family.help()).as(name).isEqualTo(HELP.get(name));
            for (Exposition.Sample sample : family.samples()) {
                Set<String> labels = new TreeSet<>(sample.labels().keySet());
                labels.remove("le");
                assertThat(labels).as(sample.toString()).isEqualTo(LABELS.getOrDefault(name, Set.of()));
                assertThat(sample.name()).as("no Micrometer _max series").doesNotEndWith("_max");
            }
        }
        for (String histogram : List.of("kubeproxy_sync_proxy_rules_duration_seconds",
                "kubeproxy_sync_full_proxy_rules_duration_seconds", "kubeproxy_sync_partial_proxy_rules_duration_seconds")) {
            assertThat(bucketBounds(families.get(histogram))).as(histogram).isEqualTo(SYNC_BUCKETS);
        }
        assertThat(bucketBounds(families.get("kubeproxy_network_programming_duration_seconds")))
                .isEqualTo(PROGRAMMING_BUCKETS).hasSize(82);
        assertThat(families.keySet()).noneMatch(n -> n.startsWith("kubeproxy_") && n.endsWith("_max"));
        assertThat(value(families, "kubeproxy_iptables_ct_state_invalid_dropped_packets_total")).isEqualTo(42);
        assertThat(value(families, "kubeproxy_iptables_localhost_nodeports_accepted_packets_total")).isEqualTo(7);
        // The JVM and process metrics ride along under their usual names.
        assertThat(families).containsKeys("process_cpu_seconds_total", "process_start_time_seconds",
                "process_open_fds", "jvm_memory_used_bytes", "jvm_threads_live_threads");
        assertThat(families.get("process_cpu_seconds_total").type()).isEqualTo("counter");
    }

    @Test
    void eventsMoveTheChangeCountersAsKubeProxysTrackersDo() throws Exception {
        Setup setup = setup("iptables", PacketCounters.NONE);
        SyncListener metrics = setup.metrics();
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.SERVICE, true, 1);
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.SERVICE, true, 2);
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.SERVICE, false, 1);
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.ENDPOINT_SLICE, true, 2);
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.ENDPOINT_SLICE, false, 2);
        metrics.eventRecorded(IpFamily.IPV4, SyncListener.Kind.ENDPOINT_SLICE, true, 3);
        clock.advance(Duration.ofMillis(250));
        metrics.syncQueued(IpFamily.IPV4);

        Map<String, Exposition.Family> pending = setup.scrape();
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_service_changes_total")).isEqualTo(3);
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_service_changes_pending")).as("set, not added").isEqualTo(1);
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_endpoint_changes_total")).isEqualTo(3);
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_endpoint_changes_pending")).as("one per changing event")
                .isEqualTo(2);
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds"))
                .isEqualTo(NOW.getEpochSecond() + 0.25);
        assertThat(value(pending, "kubeproxy_sync_proxy_rules_last_timestamp_seconds")).isZero();

        metrics.syncStarted(IpFamily.IPV4);
        metrics.syncCompleted(Reports.applied(IpFamily.IPV4, clock.instant()));
        Map<String, Exposition.Family> synced = setup.scrape();
        assertThat(value(synced, "kubeproxy_sync_proxy_rules_service_changes_pending")).isZero();
        assertThat(value(synced, "kubeproxy_sync_proxy_rules_endpoint_changes_pending")).isZero();
        assertThat(value(synced, "kubeproxy_sync_proxy_rules_service_changes_total")).as("totals stay").isEqualTo(3);
        assertThat(value(synced, "kubeproxy_sync_proxy_rules_endpoint_changes_total")).isEqualTo(3);
    }

    @Test
    void aFullSyncWithTriggerTimesFeedsTheLatenciesAndGauges() throws Exception {
        Setup setup = setup("iptables", PacketCounters.NONE);
        Instant finished = NOW.plusSeconds(100);
        setup.metrics().syncCompleted(Reports.report(IpFamily.IPV4, true, finished, Duration.ofMillis(3),
                Map.of("shop/web", List.of(finished.minusMillis(1500), finished.minusMillis(200)),
                        "shop/api", List.of(finished.minusSeconds(62))),
                Map.of(), new SyncOutcome.Applied(true, 2, 1, Map.of("filter", 7, "nat", 41), Map.of("filter", 7, "nat", 41), Map.of())));
        Map<String, Exposition.Family> families = setup.scrape();

        Exposition.Family all = families.get("kubeproxy_sync_proxy_rules_duration_seconds");
        assertThat(count(all)).isEqualTo(1);
        assertThat(bucket(all, "0.002")).isZero();
        assertThat(bucket(all, "0.004")).isEqualTo(1);
        assertThat(families.get("kubeproxy_sync_proxy_rules_duration_seconds")
                .sample("kubeproxy_sync_proxy_rules_duration_seconds_sum", Map.of()).number()).isEqualTo(0.003);
        assertThat(count(families.get("kubeproxy_sync_full_proxy_rules_duration_seconds"))).isEqualTo(1);
        assertThat(count(families.get("kubeproxy_sync_partial_proxy_rules_duration_seconds"))).isZero();

        Exposition.Family programming = families.get("kubeproxy_network_programming_duration_seconds");
        assertThat(count(programming)).isEqualTo(3);
        assertThat(programming.sample(programming.name() + "_sum", Map.of()).number()).isCloseTo(63.7, within(1e-9));
        assertThat(bucket(programming, "0")).isZero();
        assertThat(bucket(programming, "0.25")).isEqualTo(1);
        assertThat(bucket(programming, "1")).isEqualTo(1);
        assertThat(bucket(programming, "2")).isEqualTo(2);
        assertThat(bucket(programming, "60")).isEqualTo(2);
        assertThat(bucket(programming, "65")).isEqualTo(3);

        assertThat(labelled(families, "kubeproxy_sync_proxy_rules_no_local_endpoints_total", "traffic_policy", "internal"))
                .isEqualTo(2);
        assertThat(labelled(families, "kubeproxy_sync_proxy_rules_no_local_endpoints_total", "traffic_policy", "external"))
                .isEqualTo(1);
        assertThat(labelled(families, "kubeproxy_sync_proxy_rules_iptables_total", "table", "filter")).isEqualTo(7);
        assertThat(labelled(families, "kubeproxy_sync_proxy_rules_iptables_total", "table", "nat")).isEqualTo(41);
        assertThat(value(families, "kubeproxy_sync_proxy_rules_last_timestamp_seconds"))
                .isEqualTo(finished.getEpochSecond());
    }

    @Test
    void partialSyncsAndEachFailureStageCountWhereKubeProxyCountsThem() throws Exception {
        Setup setup = setup("iptables", PacketCounters.NONE);
        ProxyMetrics metrics = setup.metrics();
        metrics.syncCompleted(Reports.applied(IpFamily.IPV4, NOW));
        metrics.syncCompleted(Reports.report(IpFamily.IPV4, false, NOW.plusSeconds(1), Duration.ofMillis(20),
                Map.of(), Map.of(), new SyncOutcome.Applied(false, 0, 0, Map.of("filter", 4, "nat", 12), Map.of("filter", 4, "nat", 3), Map.of())));
        Map<String, Exposition.Family> partial = setup.scrape();
        assertThat(count(partial.get("kubeproxy_sync_partial_proxy_rules_duration_seconds"))).isEqualTo(1);
        assertThat(count(partial.get("kubeproxy_sync_full_proxy_rules_duration_seconds"))).isEqualTo(1);
        assertThat(count(partial.get("kubeproxy_sync_proxy_rules_duration_seconds"))).isEqualTo(2);

        Instant lastSynced = NOW.plusSeconds(1);
        metrics.syncCompleted(Reports.report(IpFamily.IPV4, true, NOW.plusSeconds(2), Duration.ofMillis(3),
                Map.of("shop/web", List.of(NOW)), Map.of(),
                new SyncOutcome.Failed(SyncOutcome.Stage.IPTABLES_RESTORE, "refused")));
        Map<String, Exposition.Family> full = setup.scrape();
        assertThat(value(full, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total")).isEqualTo(1);
        assertThat(value(full, "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total")).isZero();
        assertThat(count(full.get("kubeproxy_sync_proxy_rules_duration_seconds"))).as("failed syncs are timed too")
                .isEqualTo(3);
        assertThat(count(full.get("kubeproxy_network_programming_duration_seconds"))).as("nothing was programmed")
                .isZero();
        assertThat(value(full, "kubeproxy_sync_proxy_rules_last_timestamp_seconds")).isEqualTo(lastSynced.getEpochSecond());

        metrics.syncCompleted(Reports.failed(IpFamily.IPV4, false, NOW, SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE));
        metrics.syncCompleted(Reports.failed(IpFamily.IPV4, true, NOW, SyncOutcome.Stage.KERNEL));
        metrics.syncCompleted(Reports.failed(IpFamily.IPV4, true, NOW, SyncOutcome.Stage.INTERNAL));
        Map<String, Exposition.Family> after = setup.scrape();
        assertThat(value(after, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total")).isEqualTo(1);
        assertThat(value(after, "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total")).isEqualTo(1);
        assertThat(count(after.get("kubeproxy_sync_proxy_rules_duration_seconds"))).isEqualTo(6);

        // A sync that applied everything but one Service the kernel refused counts that refusal.
        metrics.syncCompleted(Reports.report(IpFamily.IPV4, false, NOW.plusSeconds(3), Duration.ofMillis(5),
                Map.of(), Map.of(), new SyncOutcome.Applied(false, 0, 0, Map.of(), Map.of(), Map.of(),
                        List.of(new SyncOutcome.Failed(SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE, "demo/api refused")))));
        Map<String, Exposition.Family> refused = setup.scrape();
        assertThat(value(refused, "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total")).isEqualTo(2);
        assertThat(value(refused, "kubeproxy_sync_proxy_rules_last_timestamp_seconds"))
                .isEqualTo(NOW.plusSeconds(3).getEpochSecond());
    }

    @Test
    void driftAndProbesAreCounted() throws Exception {
        Setup setup = setup("iptables", PacketCounters.NONE);
        setup.metrics().driftDetected(IpFamily.IPV4, new DriftCheck(List.of("KUBE-PROXY-CANARY missing")));
        setup.metrics().driftDetected(IpFamily.IPV6, new DriftCheck(List.of("KUBE-PROXY-CANARY missing")));
        setup.metrics().served(ProbeRecorder.Probe.HEALTHZ, 200);
        setup.metrics().served(ProbeRecorder.Probe.HEALTHZ, 200);
        setup.metrics().served(ProbeRecorder.Probe.HEALTHZ, 503);
        setup.metrics().served(ProbeRecorder.Probe.LIVEZ, 200);
        Map<String, Exposition.Family> families = setup.scrape();
        assertThat(value(families, "kubeproxy_sync_proxy_rules_drift_repairs_total")).isEqualTo(2);
        assertThat(labelled(families, "kubeproxy_proxy_healthz_total", "code", "200")).isEqualTo(2);
        assertThat(labelled(families, "kubeproxy_proxy_healthz_total", "code", "503")).isEqualTo(1);
        assertThat(labelled(families, "kubeproxy_proxy_livez_total", "code", "200")).isEqualTo(1);
        assertThat(families.get("kubeproxy_proxy_livez_total").samples()).hasSize(1);
    }

    @Test
    void inDualStackBothFamiliesFeedTheSameSeriesAndTheLastWriterWins() throws Exception {
        Setup setup = setup("iptables", PacketCounters.NONE);
        setup.metrics().syncCompleted(Reports.report(IpFamily.IPV4, true, NOW, Duration.ofMillis(3), Map.of(), Map.of(),
                new SyncOutcome.Applied(true, 0, 0, Map.of("filter", 10, "nat", 100), Map.of(), Map.of())));
        setup.metrics().syncCompleted(Reports.report(IpFamily.IPV6, true, NOW.plusSeconds(1), Duration.ofMillis(3),
                Map.of(), Map.of(), new SyncOutcome.Applied(true, 0, 0, Map.of("filter", 20, "nat", 200), Map.of(), Map.of())));
        Map<String, Exposition.Family> families = setup.scrape();
        assertThat(labelled(families, "kubeproxy_sync_proxy_rules_iptables_total", "table", "filter")).isEqualTo(20);
        assertThat(count(families.get("kubeproxy_sync_proxy_rules_duration_seconds"))).isEqualTo(2);
        assertThat(families.get("kubeproxy_sync_proxy_rules_iptables_total").samples()).as("no ip_family label in v1.32")
                .hasSize(2);
    }

    @Test
    void ipvsModeHasOnlyTheFamiliesKubeProxyRegistersForIt() throws Exception {
        Setup setup = setup("ipvs", name -> OptionalLong.of(1));
        setup.metrics().syncCompleted(Reports.applied(IpFamily.IPV4, NOW));
        setup.metrics().syncCompleted(Reports.failed(IpFamily.IPV4, false, NOW, SyncOutcome.Stage.IPTABLES_PARTIAL_RESTORE));
        setup.metrics().served(ProbeRecorder.Probe.HEALTHZ, 200);
        setup.metrics().served(ProbeRecorder.Probe.LIVEZ, 200);
        Map<String, Exposition.Family> families = setup.scrape();
        Set<String> expected = new TreeSet<>(HELP.keySet());
        expected.removeAll(Set.of("kubeproxy_sync_full_proxy_rules_duration_seconds",
                "kubeproxy_sync_partial_proxy_rules_duration_seconds",
                "kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total",
                "kubeproxy_sync_proxy_rules_iptables_total",
                "kubeproxy_iptables_ct_state_invalid_dropped_packets_total",
                "kubeproxy_iptables_localhost_nodeports_accepted_packets_total"));
        assertThat(kubeProxyFamilies(families)).isEqualTo(expected);
        assertThat(value(families, "kubeproxy_sync_proxy_rules_iptables_restore_failures_total")).isEqualTo(1);
    }

    @Test
    void anUnreadableNfacctCounterLeavesItsFamilyOut() throws Exception {
        Setup setup = setup("iptables", name -> name.equals(ProxyMetrics.LOCALHOST_NODE_PORT_COUNTER)
                ? OptionalLong.of(3) : OptionalLong.empty());
        Map<String, Exposition.Family> families = setup.scrape();
        assertThat(families).doesNotContainKey("kubeproxy_iptables_ct_state_invalid_dropped_packets_total");
        assertThat(value(families, "kubeproxy_iptables_localhost_nodeports_accepted_packets_total")).isEqualTo(3);
    }
}
