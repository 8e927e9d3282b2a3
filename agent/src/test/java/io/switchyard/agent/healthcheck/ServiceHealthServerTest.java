package io.switchyard.agent.healthcheck;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/** Service health-check listeners over real sockets on loopback, opened and closed by sync reports. */
class ServiceHealthServerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final AtomicBoolean proxyHealthy = new AtomicBoolean(true);
    private ServiceHealthServer server;
    private final List<LogRecord> logged = new ArrayList<>();
    private final Logger logger = Logger.getLogger(ServiceHealthServer.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void open() {
        server = new ServiceHealthServer(List.of(LOOPBACK), proxyHealthy::get);
        logger.addHandler(capture);
    }

    @AfterEach
    void close() {
        logger.removeHandler(capture);
        server.close();
    }

    private static InetSocketAddress at(int port) {
        return new InetSocketAddress(LOOPBACK, port);
    }

    @Test
    void answersLikeKubeProxyWhileTheServiceHasLocalEndpointsAndTheProxyIsHealthy() throws Exception {
        int port = TestHttp.freePort();
        server.syncCompleted(Reports.withHealthChecks(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 2))));

        HttpResponse<String> ok = TestHttp.get(at(port), "/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ok.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(ok.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("2");
        JsonObject body = JsonParser.parseString(ok.body()).getAsJsonObject();
        assertThat(body.getAsJsonObject("service").get("namespace").getAsString()).isEqualTo("shop");
        assertThat(body.getAsJsonObject("service").get("name").getAsString()).isEqualTo("web");
        assertThat(body.get("localEndpoints").getAsInt()).isEqualTo(2);
        assertThat(body.get("serviceProxyHealthy").getAsBoolean()).isTrue();
        // kube-proxy's dedented template, tabs and all, without a final newline.
        assertThat(ok.body()).isEqualTo("{\n\t\"service\": {\n\t\t\"namespace\": \"shop\",\n\t\t\"name\": \"web\"\n\t},\n"
                + "\t\"localEndpoints\": 2,\n\t\"serviceProxyHealthy\": true\n}");
        assertThat(TestHttp.get(at(port), "/").statusCode()).as("any path").isEqualTo(200);
        assertThat(server.listening()).containsExactly(Map.entry("shop/web", port));
    }

    @Test
    void noLocalEndpointsOrAnUnhealthyProxyIs503() throws Exception {
        int port = TestHttp.freePort();
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 0)));
        HttpResponse<String> none = TestHttp.get(at(port), "/");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("0");
        assertThat(JsonParser.parseString(none.body()).getAsJsonObject().get("localEndpoints").getAsInt()).isZero();

        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 1)));
        assertThat(TestHttp.get(at(port), "/").statusCode()).isEqualTo(200);

        proxyHealthy.set(false);
        HttpResponse<String> unhealthy = TestHttp.get(at(port), "/");
        assertThat(unhealthy.statusCode()).isEqualTo(503);
        assertThat(unhealthy.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("1");
        JsonObject body = JsonParser.parseString(unhealthy.body()).getAsJsonObject();
        assertThat(body.get("serviceProxyHealthy").getAsBoolean()).isFalse();
        assertThat(body.get("localEndpoints").getAsInt()).isEqualTo(1);
    }

    @Test
    void listenersCloseWhenTheServiceOrItsPortGoes() throws Exception {
        int first = TestHttp.freePort();
        int other = TestHttp.freePort();
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(first, 1),
                "shop/api", new SyncReport.HealthCheck(other, 1)));
        assertThat(TestHttp.get(at(first), "/").statusCode()).isEqualTo(200);
        assertThat(TestHttp.get(at(other), "/").statusCode()).isEqualTo(200);

        int moved = TestHttp.freePort();
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(moved, 1)));
        assertThat(TestHttp.refuses(other)).as("shop/api left the report").isTrue();
        assertThat(TestHttp.refuses(first)).as("shop/web moved away").isTrue();
        assertThat(TestHttp.get(at(moved), "/").statusCode()).isEqualTo(200);

        server.sync(IpFamily.IPV4, Map.of());
        assertThat(TestHttp.refuses(moved)).isTrue();
        assertThat(server.listening()).isEmpty();
    }

    @Test
    void aPortInUseIsLoggedOnceAndTakenOnALaterSync() throws Exception {
        ServerSocket taken = new ServerSocket(0, 1, LOOPBACK);
        int port = taken.getLocalPort();
        Map<String, SyncReport.HealthCheck> checks = Map.of("shop/web", new SyncReport.HealthCheck(port, 1));
        server.sync(IpFamily.IPV4, checks);
        server.sync(IpFamily.IPV4, checks);
        assertThat(server.listening()).isEmpty();
        assertThat(errors()).hasSize(1);
        assertThat(errors().getFirst().getParameters()).contains("shop/web", String.valueOf(port));

        taken.close();
        server.sync(IpFamily.IPV4, checks);
        assertThat(server.listening()).containsExactly(Map.entry("shop/web", port));
        assertThat(TestHttp.get(at(port), "/").statusCode()).isEqualTo(200);
        assertThat(errors()).hasSize(1);
    }

    @Test
    void retryingAPortInUseOnEverySyncLeavesNoThreadBehind() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            Map<String, SyncReport.HealthCheck> checks =
                    Map.of("shop/web", new SyncReport.HealthCheck(taken.getLocalPort(), 1));
            server.sync(IpFamily.IPV4, checks);
            int before = Thread.getAllStackTraces().size();

            for (int i = 0; i < 200; i++) {
                server.sync(IpFamily.IPV4, checks);
            }

            assertThat(server.listening()).isEmpty();
            // The JDK's HttpServer starts a timer thread when it is created, bound or not.
            assertThat(Thread.getAllStackTraces().size()).as("threads after 200 failed binds")
                    .isLessThan(before + 20);
        }
    }

    private List<LogRecord> errors() {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel() == java.util.logging.Level.SEVERE).toList();
        }
    }

    @Test
    void bothFamiliesReportTheSameServiceAndTheListenerStaysWhileEitherDoes() throws Exception {
        int port = TestHttp.freePort();
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 1)));
        server.sync(IpFamily.IPV6, Map.of("shop/web", new SyncReport.HealthCheck(port, 2)));
        assertThat(TestHttp.get(at(port), "/").headers().firstValue("X-Load-Balancing-Endpoint-Weight"))
                .hasValue("2");

        server.sync(IpFamily.IPV6, Map.of());
        HttpResponse<String> ipv4Only = TestHttp.get(at(port), "/");
        assertThat(ipv4Only.statusCode()).isEqualTo(200);
        assertThat(ipv4Only.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("1");

        server.sync(IpFamily.IPV4, Map.of());
        assertThat(TestHttp.refuses(port)).isTrue();
    }

    @Test
    void closingStopsEveryListenerAndThread() throws Exception {
        long dispatchers = TestHttp.dispatcherThreads();
        int port = TestHttp.freePort();
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 1)));
        assertThat(TestHttp.get(at(port), "/").statusCode()).isEqualTo(200);
        assertThat(TestHttp.threadsNamed("service-health-http")).isNotEmpty();

        server.close();
        assertThat(TestHttp.refuses(port)).isTrue();
        assertThat(TestHttp.threadsNamed("service-health-http")).isEmpty();
        assertThat(TestHttp.dispatcherThreads()).isEqualTo(dispatchers);
        server.sync(IpFamily.IPV4, Map.of("shop/web", new SyncReport.HealthCheck(port, 1)));
        assertThat(TestHttp.refuses(port)).as("a closed server opens nothing").isTrue();
    }
}
