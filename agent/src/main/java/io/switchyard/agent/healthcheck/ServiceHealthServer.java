package io.switchyard.agent.healthcheck;

import com.sun.net.httpserver.HttpExchange;
import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.rules.model.IpFamily;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;

/**
 * kube-proxy's service health checks: one HTTP listener per {@code healthCheckNodePort} of the
 * LoadBalancer Services with {@code externalTrafficPolicy: Local}, answering any path with 200
 * while the Service has ready endpoints on this node and the proxy is healthy, 503 otherwise, so
 * that load balancers send traffic only to nodes that can serve it. Listeners open and close as
 * the sync reports of every family's proxier list the Services; a port that cannot be bound is
 * logged once and tried again on each later sync.
 */
public final class ServiceHealthServer implements SyncListener, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ServiceHealthServer.class.getName());

    private final List<InetAddress> addresses;
    private final ProxyHealth proxyHealth;
    private final ExecutorService handlers = HttpListener.handlerPool("service-health-http");

    private final Object lock = new Object();
    /** Per family, the health checks of its last sync report. */
    private final Map<IpFamily, Map<String, SyncReport.HealthCheck>> reported = new EnumMap<>(IpFamily.class);
    /** Open listeners per Service ({@code ns/name}). */
    private final Map<String, Instance> open = new HashMap<>();
    /** Service and port pairs whose bind failure was already logged. */
    private final Set<String> failureLogged = new HashSet<>();
    private boolean closed;

    /**
     * @param addresses   the node-port addresses to listen on; empty for all addresses
     * @param proxyHealth asked on every request whether the proxy is healthy
     */
    public ServiceHealthServer(List<InetAddress> addresses, ProxyHealth proxyHealth) {
        this.addresses = List.copyOf(addresses);
        this.proxyHealth = proxyHealth;
    }

    /** One Service's listeners (one per address) and its local endpoint count. */
    private static final class Instance {
        final String namespace;
        final String name;
        final int port;
        final List<HttpListener> listeners = new ArrayList<>();
        volatile int localEndpoints;

        Instance(String service, int port) {
            int slash = service.indexOf('/');
            this.namespace = service.substring(0, slash);
            this.name = service.substring(slash + 1);
            this.port = port;
        }

        void close() {
            listeners.forEach(HttpListener::close);
            listeners.clear();
        }
    }

    @Override
    public void syncCompleted(SyncReport report) {
        sync(report.family(), report.healthChecks());
    }

    /**
     * Takes one family's health checks (from its latest sync) and opens, closes and updates
     * listeners for the union of every family's: a dual-stack Service is listed by both
     * families with the same port; its count is the larger of the two families' (a dual-stack
     * Pod is one endpoint of each).
     */
    public void sync(IpFamily family, Map<String, SyncReport.HealthCheck> checks) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            reported.put(family, Map.copyOf(checks));
            Map<String, Integer> ports = new TreeMap<>();
            Map<String, Integer> counts = new HashMap<>();
            for (Map<String, SyncReport.HealthCheck> ofFamily : reported.values()) {
                ofFamily.forEach((service, check) -> {
                    ports.putIfAbsent(service, check.nodePort());
                    counts.merge(service, check.localEndpoints(), Math::max);
                });
            }
            closeUnwanted(ports);
            openWanted(ports);
            open.forEach((service, instance) -> instance.localEndpoints = counts.getOrDefault(service, 0));
        }
    }

    private void closeUnwanted(Map<String, Integer> ports) {
        open.entrySet().removeIf(entry -> {
            Integer port = ports.get(entry.getKey());
            if (port != null && port == entry.getValue().port) {
                return false;
            }
            LOG.log(System.Logger.Level.DEBUG, "Closing healthcheck service={0} port={1}", entry.getKey(),
                    String.valueOf(entry.getValue().port));
            entry.getValue().close();
            return true;
        });
        failureLogged.removeIf(key -> !ports.containsKey(service(key))
                || !ports.get(service(key)).equals(port(key)));
    }

    private void openWanted(Map<String, Integer> ports) {
        ports.forEach((service, port) -> {
            if (open.containsKey(service)) {
                return;
            }
            Instance instance = new Instance(service, port);
            try {
                for (InetSocketAddress address : listenAddresses(port)) {
                    HttpListener listener = new HttpListener("healthcheck " + service, address,
                            exchange -> serve(instance, exchange), handlers);
                    instance.listeners.add(listener);
                    listener.bind();
                }
                LOG.log(System.Logger.Level.DEBUG, "Opening healthcheck service={0} port={1}", service,
                        String.valueOf(port));
                open.put(service, instance);
                failureLogged.remove(service + " " + port);
            } catch (IOException e) {
                // Close what was opened so a later sync (or another owner of the port) can have it.
                instance.close();
                if (failureLogged.add(service + " " + port)) {
                    LOG.log(System.Logger.Level.ERROR, "Failed to start healthcheck service={0} port={1}: {2}; "
                            + "retrying on later syncs", service, String.valueOf(port), e.getMessage());
                }
            }
        });
    }

    /**
     * kube-proxy's answer, body byte for byte: 200 only with local endpoints and a healthy proxy;
     * the endpoint count also goes in {@code X-Load-Balancing-Endpoint-Weight}.
     */
    private void serve(Instance instance, HttpExchange exchange) throws IOException {
        int count = instance.localEndpoints;
        boolean proxyHealthy = proxyHealth.isHealthy();
        int status = count != 0 && proxyHealthy ? 200 : 503;
        String body = "{\n"
                + "\t\"service\": {\n"
                + "\t\t\"namespace\": " + quoted(instance.namespace) + ",\n"
                + "\t\t\"name\": " + quoted(instance.name) + "\n"
                + "\t},\n"
                + "\t\"localEndpoints\": " + count + ",\n"
                + "\t\"serviceProxyHealthy\": " + proxyHealthy + "\n"
                + "}";
        HttpListener.respond(exchange, status, "application/json", body,
                Map.of("X-Load-Balancing-Endpoint-Weight", Integer.toString(count)));
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private List<InetSocketAddress> listenAddresses(int port) {
        if (addresses.isEmpty()) {
            return List.of(new InetSocketAddress(port));
        }
        return addresses.stream().map(a -> new InetSocketAddress(a, port)).toList();
    }

    private static String service(String key) {
        return key.substring(0, key.indexOf(' '));
    }

    private static Integer port(String key) {
        return Integer.valueOf(key.substring(key.indexOf(' ') + 1));
    }

    /** The port each Service's health check listens on, for the Services being served now. */
    public Map<String, Integer> listening() {
        synchronized (lock) {
            Map<String, Integer> out = new LinkedHashMap<>();
            open.forEach((service, instance) -> out.put(service, instance.port));
            return out;
        }
    }

    /**
     * The bound addresses of one Service's listeners (with their real ports), empty when it has
     * none open.
     */
    public List<InetSocketAddress> addressesOf(String service) {
        synchronized (lock) {
            Instance instance = open.get(service);
            return instance == null ? List.of()
                    : instance.listeners.stream().map(HttpListener::boundAddress).toList();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            open.values().forEach(Instance::close);
            open.clear();
        }
        HttpListener.shutdownAndWait(handlers);
    }
}
