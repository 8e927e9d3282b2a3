package io.switchyard.agent.healthcheck;

import com.sun.net.httpserver.HttpHandler;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * An {@link HttpListener} with a handler pool of its own, started on demand and stopped with
 * it: the lifecycle the healthz and metrics servers share.
 */
public final class ServingListener implements AutoCloseable {

    private final String purpose;
    private final String poolName;
    private final InetSocketAddress bindAddress;
    private final Map<String, HttpHandler> routes;
    private final boolean bindAddressHardFail;
    private ExecutorService handlers;
    private HttpListener listener;

    /**
     * @param purpose             what is served, for log lines ("proxy healthz")
     * @param poolName            the name of the handler threads
     * @param bindAddressHardFail whether failing to listen is fatal (else retried every 5 s)
     */
    public ServingListener(String purpose, String poolName, InetSocketAddress bindAddress,
                           Map<String, HttpHandler> routes, boolean bindAddressHardFail) {
        this.purpose = purpose;
        this.poolName = poolName;
        this.bindAddress = bindAddress;
        this.routes = Map.copyOf(routes);
        this.bindAddressHardFail = bindAddressHardFail;
    }

    /**
     * Starts listening; a second call does nothing. A bind failure is fatal (a ConfigException)
     * with bindAddressHardFail, else logged and retried every 5 seconds.
     */
    public synchronized void start() {
        if (listener != null) {
            return;
        }
        handlers = HttpListener.handlerPool(poolName);
        listener = new HttpListener(purpose, bindAddress, routes, handlers);
        try {
            listener.start(bindAddressHardFail);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Where the server listens, or null while it is not listening. */
    public synchronized InetSocketAddress address() {
        return listener == null ? null : listener.boundAddress();
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
        if (handlers != null) {
            HttpListener.shutdownAndWait(handlers);
            handlers = null;
        }
    }
}
