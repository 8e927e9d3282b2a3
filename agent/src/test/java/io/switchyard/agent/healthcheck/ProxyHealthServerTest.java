package io.switchyard.agent.healthcheck;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Taint;
import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The proxy health server over real sockets on loopback, driven by a hand-moved clock. */
class ProxyHealthServerTest {

    private static final Instant START = Instant.parse("2024-05-01T10:00:00Z");
    private static final Duration SYNC_PERIOD = Duration.ofSeconds(30);
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final ManualClock clock = new ManualClock(START);
    private final List<String> probes = new ArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : toClose.reversed()) {
            closeable.close();
        }
    }

    private ProxyHealthServer started() {
        ProxyHealthServer server = new ProxyHealthServer(LOOPBACK, SYNC_PERIOD, clock, true,
                (probe, status) -> {
                    synchronized (probes) {
                        probes.add(probe + " " + status);
                    }
                });
        toClose.add(server);
        server.start();
        return server;
    }

    private static JsonObject json(HttpResponse<String> response) {
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    private static String goTime(Instant time) {
        return GoTime.format(time, START);
    }

    @Test
    void healthyAtStartWithKubeProxysBodyAndHeaders() throws Exception {
        ProxyHealthServer server = started();
        clock.advance(Duration.ofMillis(1500));

        HttpResponse<String> healthz = TestHttp.get(server.address(), "/healthz");
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(healthz.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        // kube-proxy's exact text: Go's time.Time String() in %q, its spacing, nodeEligible last.
        assertThat(healthz.body()).isEqualTo("{\"lastUpdated\": \"2024-05-01 10:00:01.5 +0000 UTC m=+1.500000000\","
                + "\"currentTime\": \"2024-05-01 10:00:01.5 +0000 UTC m=+1.500000000\", \"nodeEligible\": true}");

        HttpResponse<String> livez = TestHttp.get(server.address(), "/livez");
        assertThat(livez.statusCode()).isEqualTo(200);
        assertThat(livez.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(livez.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        JsonObject body = json(livez);
        assertThat(body.keySet()).containsExactly("lastUpdated", "currentTime");
        assertThat(body.get("currentTime").getAsString()).isEqualTo(goTime(clock.instant()));
        assertThat(probes).containsExactly("HEALTHZ 200", "LIVEZ 200");
    }

    @Test
    void aChangeQueuedLongerThanTwoSyncPeriodsMakesItUnhealthyUntilASyncSucceeds() throws Exception {
        ProxyHealthServer server = started();
        server.updated(IpFamily.IPV4);                       // the sync loop started
        Instant started = clock.instant();
        clock.advance(Duration.ofSeconds(10));
        server.syncQueued(IpFamily.IPV4);
        clock.advance(Duration.ofSeconds(59));               // 59 s of the 60 s timeout
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);
        assertThat(server.isHealthy()).isTrue();

        server.syncQueued(IpFamily.IPV4);                    // a later change does not restart the wait
        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> late = TestHttp.get(server.address(), "/healthz");
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(json(late).get("lastUpdated").getAsString()).isEqualTo(goTime(started));
        assertThat(json(late).get("currentTime").getAsString()).isEqualTo(goTime(clock.instant()));
        assertThat(json(late).get("nodeEligible").getAsBoolean()).isTrue();
        assertThat(TestHttp.get(server.address(), "/livez").statusCode()).isEqualTo(503);
        assertThat(server.isHealthy()).isFalse();

        server.syncCompleted(Reports.failed(IpFamily.IPV4, true, clock.instant(), SyncOutcome.Stage.IPTABLES_RESTORE));
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).as("a failed sync fixes nothing")
                .isEqualTo(503);

        server.syncCompleted(Reports.applied(IpFamily.IPV4, clock.instant()));
        HttpResponse<String> synced = TestHttp.get(server.address(), "/healthz");
        assertThat(synced.statusCode()).isEqualTo(200);
        assertThat(json(synced).get("lastUpdated").getAsString()).isEqualTo(goTime(clock.instant()));
        assertThat(probes).containsExactly("HEALTHZ 200", "HEALTHZ 503", "LIVEZ 503", "HEALTHZ 503", "HEALTHZ 200");
    }

    @Test
    void aFamilyFirstHeardOfByAQueuedChangeTimesOutTooThoughItNeverSynced() throws Exception {
        ProxyHealthServer server = started();
        server.syncQueued(IpFamily.IPV4);
        clock.advance(SYNC_PERIOD.multipliedBy(2));
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(503);
    }

    @Test
    void eachFamilyIsTrackedOnItsOwn() throws Exception {
        ProxyHealthServer server = started();
        server.updated(IpFamily.IPV4);
        server.updated(IpFamily.IPV6);
        clock.advance(Duration.ofSeconds(5));
        Instant ipv6Updated = clock.instant();
        server.updated(IpFamily.IPV6);
        server.syncQueued(IpFamily.IPV4);
        server.syncQueued(IpFamily.IPV6);
        clock.advance(Duration.ofSeconds(30));
        server.syncCompleted(Reports.applied(IpFamily.IPV4, clock.instant()));   // IPv4 keeps up
        clock.advance(Duration.ofSeconds(30));                                    // IPv6 queued 60 s ago

        HttpResponse<String> healthz = TestHttp.get(server.address(), "/healthz");
        assertThat(healthz.statusCode()).isEqualTo(503);
        assertThat(json(healthz).get("lastUpdated").getAsString()).as("the late family's last update")
                .isEqualTo(goTime(ipv6Updated));

        server.syncCompleted(Reports.applied(IpFamily.IPV6, clock.instant()));
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void aNodeBeingDeletedOrTaintedForDeletionFailsHealthzButNotLivez() throws Exception {
        ProxyHealthServer server = started();
        V1Node node = new V1Node().metadata(new V1ObjectMeta().name("node-a")).spec(new V1NodeSpec());
        server.onNodeAdd(node);
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);

        V1Node deleting = new V1Node().metadata(new V1ObjectMeta().name("node-a")
                .deletionTimestamp(OffsetDateTime.of(2024, 5, 1, 10, 0, 0, 0, ZoneOffset.UTC))).spec(new V1NodeSpec());
        server.onNodeUpdate(node, deleting);
        assertIneligible(server);

        server.onNodeUpdate(deleting, node);
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);

        V1Node tainted = new V1Node().metadata(new V1ObjectMeta().name("node-a")).spec(new V1NodeSpec()
                .addTaintsItem(new V1Taint().key("other").effect("NoSchedule"))
                .addTaintsItem(new V1Taint().key("ToBeDeletedByClusterAutoscaler").value("1700000000")
                        .effect("NoSchedule")));
        server.onNodeUpdate(node, tainted);
        assertIneligible(server);

        server.onNodeDelete(deleting);
        assertIneligible(server);
    }

    private void assertIneligible(ProxyHealthServer server) throws Exception {
        HttpResponse<String> healthz = TestHttp.get(server.address(), "/healthz");
        assertThat(healthz.statusCode()).isEqualTo(503);
        assertThat(json(healthz).get("nodeEligible").getAsBoolean()).isFalse();
        // Not eligible but the proxy itself is fine: lastUpdated is its newest update (none yet: Go's zero time).
        assertThat(json(healthz).get("lastUpdated").getAsString()).isEqualTo("0001-01-01 00:00:00 +0000 UTC");
        HttpResponse<String> livez = TestHttp.get(server.address(), "/livez");
        assertThat(livez.statusCode()).isEqualTo(200);
        assertThat(json(livez).has("nodeEligible")).isFalse();
        assertThat(server.isHealthy()).as("service health checks ignore the node").isTrue();
    }

    @Test
    void otherPathsAre404AndHeadGetsHeadersOnly() throws Exception {
        ProxyHealthServer server = started();
        HttpResponse<String> other = TestHttp.get(server.address(), "/healthz/extra");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).isEqualTo("404 page not found\n");
        HttpResponse<String> head = TestHttp.send(server.address(), "/healthz", "HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void anAddressInUseIsOneFatalLineWithHardFail() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProxyHealthServer server = new ProxyHealthServer(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()), SYNC_PERIOD, clock,
                    true, ProbeRecorder.NONE);
            toClose.add(server);
            assertThatThrownBy(server::start).isInstanceOf(ConfigException.class)
                    .hasMessage("failed to start proxy healthz on 127.0.0.1:" + taken.getLocalPort()
                            + ": Address already in use");
            assertThat(server.address()).isNull();
        }
        assertThat(TestHttp.threadsNamed("healthz-http", "retry-")).isEmpty();
    }

    @Test
    void withoutHardFailABindFailureIsRetriedUntilTheAddressIsFree() throws Exception {
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = taken.getLocalPort();
        ProxyHealthServer server = new ProxyHealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                SYNC_PERIOD, clock, false, ProbeRecorder.NONE);
        toClose.add(server);
        server.start();
        assertThat(server.address()).isNull();
        taken.close();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (server.address() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(server.address()).as("bound by a retry").isNotNull();
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void closingLeavesNoThreadsAndNoListener() throws Exception {
        long dispatchers = TestHttp.dispatcherThreads();
        ProxyHealthServer server = started();
        int port = server.address().getPort();
        assertThat(TestHttp.get(server.address(), "/healthz").statusCode()).isEqualTo(200);
        assertThat(TestHttp.threadsNamed("healthz-http")).isNotEmpty();
        assertThat(TestHttp.dispatcherThreads()).isEqualTo(dispatchers + 1);

        server.close();
        assertThat(TestHttp.refuses(port)).isTrue();
        assertThat(TestHttp.threadsNamed("healthz-http", "retry-")).isEmpty();
        assertThat(TestHttp.dispatcherThreads()).isEqualTo(dispatchers);
    }
}
