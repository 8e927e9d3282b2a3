package io.switchyard.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.switchyard.agent.healthcheck.HttpListener;
import io.switchyard.agent.healthcheck.ServingListener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * kube-proxy's metrics server on the metrics bind address: {@code /metrics} in the Prometheus
 * text format (gzip when the scraper accepts it), {@code /proxyMode} with the mode's name, and
 * {@code /healthz} answering {@code ok} as component-base's default health check does.
 */
public final class MetricsServer implements AutoCloseable {

    private final String proxyMode;
    private final MetricsRegistry registry;
    private final ServingListener server;

    /**
     * @param bindAddress         the metrics bind address (kube-proxy's default 127.0.0.1:10249)
     * @param proxyMode           what {@code /proxyMode} answers ({@code iptables}, {@code ipvs})
     * @param bindAddressHardFail whether failing to listen is fatal (else retried every 5 s)
     */
    public MetricsServer(InetSocketAddress bindAddress, String proxyMode, MetricsRegistry registry,
                         boolean bindAddressHardFail) {
        this.proxyMode = proxyMode;
        this.registry = registry;
        this.server = new ServingListener("metrics server", "metrics-http", bindAddress, Map.of(
                "/metrics", this::serveMetrics,
                "/proxyMode", this::serveProxyMode,
                "/healthz", MetricsServer::serveOk,
                "/healthz/ping", MetricsServer::serveOk), bindAddressHardFail);
    }

    /**
     * Starts serving. A bind failure is one line: fatal (a ConfigException) with
     * bindAddressHardFail, else logged and retried every 5 seconds.
     */
    public void start() {
        server.start();
    }

    /** Where the server listens, or null while it is not listening. */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }

    private void serveMetrics(HttpExchange exchange) throws IOException {
        boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (Writer out = new OutputStreamWriter(gzip ? new GZIPOutputStream(bytes) : bytes, StandardCharsets.UTF_8)) {
            PrometheusText.write(registry.scrape(), out);
        }
        HttpListener.respond(exchange, 200, PrometheusText.CONTENT_TYPE, bytes.toByteArray(),
                gzip ? Map.of("Content-Encoding", "gzip") : Map.of());
    }

    private static boolean acceptsGzip(List<String> acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String header : acceptEncoding) {
            for (String part : header.split(",")) {
                String coding = part.strip();
                int parameters = coding.indexOf(';');
                String name = parameters < 0 ? coding : coding.substring(0, parameters).strip();
                if (name.equalsIgnoreCase("gzip") && !coding.replace(" ", "").endsWith(";q=0")) {
                    return true;
                }
            }
        }
        return false;
    }

    private void serveProxyMode(HttpExchange exchange) throws IOException {
        HttpListener.respond(exchange, 200, "text/plain; charset=utf-8", proxyMode, Map.of());
    }

    private static void serveOk(HttpExchange exchange) throws IOException {
        HttpListener.respond(exchange, 200, "text/plain; charset=utf-8", "ok", Map.of());
    }
}
