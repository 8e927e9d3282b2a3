package io.switchyard.agent.metrics;

import io.switchyard.agent.config.ConfigException;
import io.switchyard.agent.healthcheck.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metrics server's endpoints over a real socket on loopback. */
class MetricsServerTest {

    private final MetricsRegistry registry = new MetricsRegistry();
    private MetricsServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }

    private MetricsServer started(String mode) {
        new ProxyMetrics(registry.prometheus(), mode, InstantSource.system(), PacketCounters.NONE);
        server = new MetricsServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), mode, registry, true);
        server.start();
        return server;
    }

    @Test
    void proxyModeAndHealthzAnswerInPlainText() throws Exception {
        started("ipvs");
        HttpResponse<String> mode = TestHttp.get(server.address(), "/proxyMode");
        assertThat(mode.statusCode()).isEqualTo(200);
        assertThat(mode.body()).isEqualTo("ipvs");
        assertThat(mode.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(mode.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        HttpResponse<String> healthz = TestHttp.get(server.address(), "/healthz");
        assertThat(healthz.statusCode()).isEqualTo(200);
        assertThat(healthz.body()).isEqualTo("ok");
        assertThat(TestHttp.get(server.address(), "/metricsz").statusCode()).isEqualTo(404);
    }

    @Test
    void aScraperThatAcceptsGzipGetsTheSameExpositionCompressed() throws Exception {
        started("iptables");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort()
                + "/metrics")).header("Accept-Encoding", "gzip").build();
        HttpResponse<byte[]> zipped = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(zipped.statusCode()).isEqualTo(200);
        assertThat(zipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String text;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String plain = TestHttp.get(server.address(), "/metrics").body();
        assertThat(Exposition.parse(text).keySet()).isEqualTo(Exposition.parse(plain).keySet())
                .contains("kubeproxy_sync_proxy_rules_duration_seconds");
    }

    @Test
    void anAddressInUseIsOneFatalLineWithHardFailAndNoThreadIsLeft() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server = new MetricsServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()),
                    "iptables", registry, true);
            assertThatThrownBy(server::start).isInstanceOf(ConfigException.class)
                    .hasMessage("failed to start metrics server on 127.0.0.1:" + taken.getLocalPort()
                            + ": Address already in use");
        }
        assertThat(TestHttp.threadsNamed("metrics-http", "retry-")).isEmpty();
    }

    @Test
    void closingLeavesNoThreadsAndNoListener() throws Exception {
        long dispatchers = TestHttp.dispatcherThreads();
        started("iptables");
        int port = server.address().getPort();
        assertThat(TestHttp.get(server.address(), "/metrics").statusCode()).isEqualTo(200);
        server.close();
        assertThat(TestHttp.refuses(port)).isTrue();
        assertThat(TestHttp.threadsNamed("metrics-http", "retry-")).isEmpty();
        assertThat(TestHttp.dispatcherThreads()).isEqualTo(dispatchers);
    }
}
