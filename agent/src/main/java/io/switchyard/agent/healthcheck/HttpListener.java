package io.switchyard.agent.healthcheck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.switchyard.agent.config.ConfigException;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One JDK HTTP server on one address, answering a fixed set of exact paths (anything else is
 * Go's plain 404), bound and stopped explicitly: the plumbing the healthz, metrics and service
 * health-check servers share.
 */
public final class HttpListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(HttpListener.class.getName());
    /** kube-proxy retries a server that could not listen every 5 seconds (wait.Until). */
    static final Duration RETRY_PERIOD = Duration.ofSeconds(5);

    private final String purpose;
    private final InetSocketAddress address;
    private final Map<String, HttpHandler> routes;
    private final HttpHandler everyPath;
    private final Executor executor;

    private final Object lock = new Object();
    private HttpServer server;
    private ScheduledExecutorService retries;
    private boolean closed;

    /**
     * @param purpose  what is served, for log lines ("proxy healthz", "metrics server")
     * @param address  where to listen; port 0 takes an ephemeral port
     * @param routes   handler per exact path
     * @param executor runs the handlers; owned by the caller, who shuts it down after {@link #close()}
     */
    public HttpListener(String purpose, InetSocketAddress address, Map<String, HttpHandler> routes, Executor executor) {
        this(purpose, address, Map.copyOf(routes), null, executor);
    }

    /** A listener whose one handler answers every path, as a Go server with a bare handler. */
    public HttpListener(String purpose, InetSocketAddress address, HttpHandler everyPath, Executor executor) {
        this(purpose, address, Map.of(), everyPath, executor);
    }

    private HttpListener(String purpose, InetSocketAddress address, Map<String, HttpHandler> routes,
                         HttpHandler everyPath, Executor executor) {
        this.purpose = purpose;
        this.address = address;
        this.routes = routes;
        this.everyPath = everyPath;
        this.executor = executor;
    }

    /** Binds and serves, or throws what the bind threw. */
    public void bind() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IOException(purpose + " is closed");
            }
            if (server != null) {
                return;
            }
            HttpServer created = HttpServer.create();
            try {
                created.bind(address, 0);
            } catch (IOException | RuntimeException e) {
                // The JDK's server owns a timer thread from its creation: stop it, or every failed
                // bind (a health-check port retried on each sync) leaves a thread behind.
                created.stop(0);
                throw e;
            }
            created.createContext("/", this::dispatch);
            created.setExecutor(executor);
            created.start();
            server = created;
        }
    }

    /**
     * Binds and serves as kube-proxy starts its healthz and metrics servers: when the address
     * cannot be bound, with {@code bindAddressHardFail} that is fatal (a {@link ConfigException}
     * carrying one line); without it the line is logged and the bind retried every 5 seconds.
     */
    public void start(boolean bindAddressHardFail) {
        try {
            bind();
            LOG.log(System.Logger.Level.DEBUG, "Starting {0} address={1}", purpose, hostPort(boundAddress()));
        } catch (IOException e) {
            String line = "failed to start " + purpose + " on " + hostPort(address) + ": " + reason(e);
            if (bindAddressHardFail) {
                throw new ConfigException(line);
            }
            LOG.log(System.Logger.Level.ERROR, line + "; retrying every " + RETRY_PERIOD.toSeconds() + "s");
            synchronized (lock) {
                if (closed) {
                    return;
                }
                retries = Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("retry-" + purpose.replace(' ', '-')).daemon().factory());
                retries.scheduleWithFixedDelay(this::retry, RETRY_PERIOD.toMillis(), RETRY_PERIOD.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void retry() {
        try {
            bind();
            LOG.log(System.Logger.Level.INFO, "Started {0} on {1} after retrying", purpose, hostPort(boundAddress()));
            synchronized (lock) {
                retries.shutdown();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "{0} still cannot listen on {1}: {2}", purpose, hostPort(address), reason(e));
        }
    }

    /** Where the server listens (with the real port), or null while it is not bound. */
    public InetSocketAddress boundAddress() {
        synchronized (lock) {
            return server == null ? null : server.getAddress();
        }
    }

    /** Stops listening, closes open connections and waits for the server's thread to end. */
    @Override
    public void close() {
        HttpServer stopping;
        ExecutorService retrying;
        synchronized (lock) {
            closed = true;
            retrying = retries;
            if (retrying != null) {
                retrying.shutdownNow();
            }
            stopping = server;
            server = null;
        }
        if (stopping != null) {
            stopping.stop(0);
        }
        if (retrying != null) {
            awaitQuietly(retrying);
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        try (exchange) {
            HttpHandler handler = everyPath != null ? everyPath : routes.get(exchange.getRequestURI().getPath());
            if (handler == null) {
                respond(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n", Map.of());
                return;
            }
            handler.handle(exchange);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, purpose + " failed to answer " + exchange.getRequestURI(), e);
        }
    }

    /**
     * Sends a whole response, with {@code X-Content-Type-Options: nosniff} as kube-proxy's
     * handlers do; a HEAD request gets the headers only.
     */
    public static void respond(HttpExchange exchange, int status, String contentType, String body,
                               Map<String, String> headers) throws IOException {
        respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** {@link #respond(HttpExchange, int, String, String, Map)} for a body already encoded. */
    public static void respond(HttpExchange exchange, int status, String contentType, byte[] body,
                               Map<String, String> headers) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@code host:port} as Go prints it ({@code [::]:10256} for IPv6). */
    public static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? "cannot listen" : e.getMessage();
    }

    /**
     * The small pool that runs a server's handlers: two daemon threads named after the server,
     * enough for probes and scrapes that each take microseconds.
     */
    public static ExecutorService handlerPool(String name) {
        return Executors.newFixedThreadPool(2, Thread.ofPlatform().name(name + "-", 0).daemon().factory());
    }

    /** Stops an executor and waits (a few seconds at most) for its threads to end. */
    public static void shutdownAndWait(ExecutorService executor) {
        executor.shutdownNow();
        awaitQuietly(executor);
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
