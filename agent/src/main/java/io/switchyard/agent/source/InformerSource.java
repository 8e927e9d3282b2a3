package io.switchyard.agent.source;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ListerWatcher;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.CallGenerator;
import io.kubernetes.client.util.CallGeneratorParams;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.switchyard.agent.decode.ObjectRejectedException;
import io.switchyard.agent.decode.ResourceDecoder;
import okhttp3.Call;

import java.io.IOException;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Feeds the handlers from the API server through client-java informers, as kube-proxy's
 * Service, EndpointSlice and Node informers do.
 *
 * <p>Responses are decoded by the proxy's own decoders ({@link ResourceDecoder}), not
 * client-java's: fields they do not know (a newer API server's) are ignored at every level, and
 * only the fields the proxy uses are kept. A listed object one of whose used fields cannot be
 * read is skipped with a warning, the others are delivered; a watched one counts as deleted.
 *
 * <p>Three informers list and watch Services and EndpointSlices in all namespaces, with
 * kube-proxy's label selector ({@link ProxySelection}: service-proxy-name and headless), and this
 * node's Node object. client-java's reflector relists after 410 Gone and after a broken watch, and
 * retries while the server is unreachable (with client-go's backoff added here); the handlers keep
 * the last state they were given meanwhile. Each {@code on...Synced} callback is made exactly once,
 * after every object of the informer's initial list has been delivered. Handlers are never called
 * concurrently, and not after {@link #close()}.
 */
public final class InformerSource implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InformerSource.class.getName());

    /**
     * No periodic resync: kube-proxy re-syncs the kernel on its own timer. The synced bookkeeping
     * relies on it too: with a resync period, client-java hands relist notifications only to
     * listeners that are due a resync, so the count of queued notifications would be wrong.
     */
    private static final long RESYNC_PERIOD_MILLIS = 0;
    /** client-java's Controller already waits this long before rerunning a failed list-watch. */
    private static final long REFLECTOR_PERIOD_MILLIS = 1_000;
    /** client-go's reflector backoff: from 800 ms, doubling, to 30 s; reset by a success. */
    private static final long BACKOFF_INITIAL_MILLIS = 800;
    private static final long BACKOFF_MAX_MILLIS = 30_000;
    /** A watch the server has not ended this long after its timeoutSeconds is presumed dead. */
    private static final int WATCH_GRACE_SECONDS = 30;
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SYNC_POLL_MILLIS = 50;

    private final ApiClient client;
    private final String nodeName;
    private final ProxySelection selection;
    private final Object deliveryLock = new Object();
    private final List<Feed<?, ?>> feeds;
    /** Requests waiting for the server's answer: close() cancels them, as stopping the informers does not. */
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private SharedInformerFactory factory;
    private final ListObserver observer;
    private Thread syncWaiter;
    private boolean started;
    private volatile boolean closed;

    /**
     * @param client           the API client; its read timeout is set to zero (watches are long-lived)
     * @param nodeName         this node's name: only that Node object is watched
     * @param serviceProxyName our {@code --service-proxy-name}, empty (or null) for the default proxy
     */
    public InformerSource(ApiClient client, String nodeName, String serviceProxyName, ServiceHandler services,
                          EndpointSliceHandler slices, NodeHandler nodes) {
        this(client, nodeName, serviceProxyName, services, slices, nodes, (kind, items, took) -> { });
    }

    /** Told of every successful LIST: how long it took (request, transfer and decoding) and how many objects. */
    @FunctionalInterface
    public interface ListObserver {
        void listed(String kind, int items, java.time.Duration took);
    }

    /** As above, telling {@code observer} of every successful LIST (start-up timing). */
    public InformerSource(ApiClient client, String nodeName, String serviceProxyName, ServiceHandler services,
                          EndpointSliceHandler slices, NodeHandler nodes, ListObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
        this.client = ApiClients.withoutReadTimeout(Objects.requireNonNull(client, "client"));
        if (nodeName == null || nodeName.isBlank()) {
            throw new IllegalArgumentException("node name is required");
        }
        this.nodeName = nodeName;
        this.selection = new ProxySelection(serviceProxyName);
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(slices, "slices");
        Objects.requireNonNull(nodes, "nodes");

        CoreV1Api core = new CoreV1Api(this.client);
        DiscoveryV1Api discovery = new DiscoveryV1Api(this.client);
        String labelSelector = selection.labelSelector(); // kube-proxy uses one for both
        String nodeSelector = "metadata.name=" + nodeName;
        this.feeds = List.of(
                new Feed<>(ResourceDecoder.SERVICES, V1Service.class,
                        p -> core.listServiceForAllNamespaces().labelSelector(labelSelector)
                                .resourceVersion(p.resourceVersion).timeoutSeconds(p.timeoutSeconds)
                                .watch(watching(p)).allowWatchBookmarks(watching(p)).buildCall(null),
                        services::onServiceAdd, services::onServiceUpdate, services::onServiceDelete,
                        services::onServicesSynced),
                new Feed<>(ResourceDecoder.ENDPOINT_SLICES, V1EndpointSlice.class,
                        p -> discovery.listEndpointSliceForAllNamespaces().labelSelector(labelSelector)
                                .resourceVersion(p.resourceVersion).timeoutSeconds(p.timeoutSeconds)
                                .watch(watching(p)).allowWatchBookmarks(watching(p)).buildCall(null),
                        slices::onEndpointSliceAdd, slices::onEndpointSliceUpdate, slices::onEndpointSliceDelete,
                        slices::onEndpointSlicesSynced),
                new Feed<>(ResourceDecoder.NODES, V1Node.class,
                        p -> core.listNode().fieldSelector(nodeSelector)
                                .resourceVersion(p.resourceVersion).timeoutSeconds(p.timeoutSeconds)
                                .watch(watching(p)).allowWatchBookmarks(watching(p)).buildCall(null),
                        nodes::onNodeAdd, nodes::onNodeUpdate, nodes::onNodeDelete, nodes::onNodeSynced));
    }

    /** Starts the informers; returns at once. The synced callbacks follow once the initial lists are in. */
    public synchronized void start() {
        if (closed || started) {
            throw new IllegalStateException(closed ? "source is closed" : "source already started");
        }
        started = true;
        LOG.log(Level.INFO, "Starting informers for Services and EndpointSlices (" + selection.labelSelector()
                + ") and Node " + nodeName + ", API server " + client.getBasePath());
        // Informers start in this thread: the factory's own pool would start them asynchronously,
        // and stopping an informer whose start is still queued does nothing, then it starts.
        factory = new SharedInformerFactory(client, new CallerRunsExecutor(), false);
        for (Feed<?, ?> feed : feeds) {
            feed.register(factory);
        }
        factory.startAllRegisteredInformers();
        syncWaiter = Thread.ofPlatform().name("informer-sync").daemon().start(this::awaitSynced);
    }

    /** Stops the informers and their connections; no handler is called once this returns. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.forEach(Call::cancel);
        if (syncWaiter != null) {
            syncWaiter.interrupt();
            try {
                syncWaiter.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (factory != null) {
            factory.stopAllRegisteredInformers();
        }
    }

    /** Waits, as client-go's WaitForCacheSync does by polling, for each informer's initial list. */
    private void awaitSynced() {
        List<Feed<?, ?>> pending = new ArrayList<>(feeds);
        try {
            while (!pending.isEmpty() && !closed) {
                pending.removeIf(Feed::checkListed);
                if (!pending.isEmpty()) {
                    Thread.sleep(SYNC_POLL_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private static Boolean watching(CallGeneratorParams params) {
        return Boolean.TRUE.equals(params.watch) ? Boolean.TRUE : null;
    }


    private static boolean sameVersion(KubernetesObject a, KubernetesObject b) {
        String va = a == null || a.getMetadata() == null ? null : a.getMetadata().getResourceVersion();
        String vb = b == null || b.getMetadata() == null ? null : b.getMetadata().getResourceVersion();
        return va != null && va.equals(vb);
    }

    /**
     * One informer: lists and watches one resource (with backoff) and forwards its notifications
     * to our handler under the delivery lock, counting them to know when the initial list is in.
     */
    private final class Feed<T extends KubernetesObject, L extends KubernetesListObject>
            implements ListerWatcher<T, L>, ResourceEventHandler<T> {

        private final String kind;
        private final ResourceDecoder<T, L> decoder;
        private final Class<T> type;
        private final CallGenerator calls;
        private final Consumer<T> add;
        private final BiConsumer<T, T> update;
        private final Consumer<T> delete;
        private final Runnable synced;
        /** Notifications client-java has queued for our handler: one per delta it processes. */
        private final AtomicLong queued = new AtomicLong();
        private SharedIndexInformer<T> informer;
        // Guarded by deliveryLock.
        private long delivered;
        private long syncTarget = -1;
        private boolean syncedSent;
        // Touched by the informer's reflector thread only.
        private int failures;
        private long lastWarning = System.nanoTime() - WARNING_INTERVAL_NANOS;
        private Throwable reported;

        Feed(ResourceDecoder<T, L> decoder, Class<T> type, CallGenerator calls,
             Consumer<T> add, BiConsumer<T, T> update, Consumer<T> delete, Runnable synced) {
            this.kind = decoder.kind();
            this.decoder = decoder;
            this.type = type;
            this.calls = calls;
            this.add = add;
            this.update = update;
            this.delete = delete;
            this.synced = synced;
        }

        void register(SharedInformerFactory factory) {
            informer = factory.sharedIndexInformerFor(this, type, RESYNC_PERIOD_MILLIS, (t, error) -> failed(error));
            // Called once per delta, just before the notification is queued for our handler, in
            // the same locked step of the delta queue that hasSynced() waits for.
            informer.setTransform(object -> {
                queued.incrementAndGet();
                return object;
            });
            informer.addEventHandler(this);
        }

        /** Once the initial list is queued, notes how many notifications to deliver before synced. */
        boolean checkListed() {
            if (!informer.hasSynced()) {
                return false;
            }
            long target = queued.get();
            synchronized (deliveryLock) {
                syncTarget = target;
                signalSyncedIfCaughtUp();
            }
            return true;
        }

        @Override
        public L list(CallGeneratorParams params) throws ApiException {
            backOff();
            long start = System.nanoTime();
            Call call = track(calls.generate(params));
            try {
                L list = ApiLists.execute(call, decoder, this::skipped);
                failures = 0;
                observer.listed(kind, list.getItems() == null ? 0 : list.getItems().size(),
                        java.time.Duration.ofNanos(System.nanoTime() - start));
                return list;
            } catch (ApiException | RuntimeException e) {
                failure(e);
                throw e;
            } finally {
                inFlight.remove(call);
            }
        }

        @Override
        public Watchable<T> watch(CallGeneratorParams params) throws ApiException {
            backOff();
            Call call = track(calls.generate(params));
            if (params.timeoutSeconds != null) {
                // The server ends the watch after timeoutSeconds; if it does not (a half-open
                // connection), give up on it rather than wait forever with no read timeout.
                call.timeout().timeout(params.timeoutSeconds + WATCH_GRACE_SECONDS, TimeUnit.SECONDS);
            }
            try {
                okhttp3.Response response = call.execute();
                if (!response.isSuccessful()) {
                    String body;
                    try (response) {
                        body = response.body() == null ? null : response.body().string();
                    }
                    throw new ApiException(response.message(), response.code(), response.headers().toMultimap(), body);
                }
                failures = 0;
                return new DecodingWatch(response, call);
            } catch (IOException e) {
                ApiException error = new ApiException(e); // a ConnectException cause: the reflector retries the watch
                failure(error);
                throw error;
            } catch (ApiException | RuntimeException e) {
                failure(e);
                throw e;
            } finally {
                inFlight.remove(call);
            }
        }

        private Call track(Call call) {
            inFlight.add(call);
            if (closed) {
                call.cancel();
            }
            return call;
        }

        /** Counts a failed request for the backoff, and logs it. */
        private void failure(Exception error) {
            failures++;
            reported = error;
            warn("Failed to list or watch " + kind + " objects, will retry: " + ApiLists.describe(error));
        }

        /** Waits, on top of the reflector's own second, as client-go's backoff would after failures. */
        private void backOff() throws ApiException {
            if (failures == 0) {
                return;
            }
            long delay = Math.min(BACKOFF_MAX_MILLIS, BACKOFF_INITIAL_MILLIS << Math.min(failures - 1, 16))
                    - REFLECTOR_PERIOD_MILLIS;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiException("interrupted while backing off");
                }
            }
        }

        /** The reflector's error handler, for what failure() has not logged (a watch stream that failed). */
        private void failed(Throwable error) {
            if (error != reported) {
                warn("Watch of " + kind + " objects failed, will relist: " + ApiLists.describe(error));
            }
        }

        /** Logs a retried failure: a warning at most every 30 s, the rest at debug level. */
        private void warn(String message) {
            if (closed) {
                return;
            }
            long now = System.nanoTime();
            Level level = Level.DEBUG;
            if (now - lastWarning >= WARNING_INTERVAL_NANOS) {
                level = Level.WARNING;
                lastWarning = now;
            }
            LOG.log(level, message);
        }

        /** An item of a LIST that cannot be read: it is left out, the others are delivered. */
        private void skipped(ObjectRejectedException rejected) {
            LOG.log(Level.WARNING, "Skipping " + rejected.object() + " from the API server: " + rejected.fields());
        }

        @Override
        public void onAdd(T object) {
            deliver(() -> add.accept(object));
        }

        @Override
        public void onUpdate(T oldObject, T object) {
            // A relist re-delivers every object as an update; unchanged ones are not news.
            deliver(() -> {
                if (!sameVersion(oldObject, object)) {
                    update.accept(oldObject, object);
                }
            });
        }

        @Override
        public void onDelete(T object, boolean finalStateUnknown) {
            // client-java unwraps DeletedFinalStateUnknown tombstones (deletes seen only by a relist)
            // to the last state it knew; that is what kube-proxy's handlers get too.
            deliver(() -> {
                if (object != null) {
                    delete.accept(object);
                }
            });
        }

        private void deliver(Runnable call) {
            synchronized (deliveryLock) {
                try {
                    if (!closed) {
                        call.run();
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, kind + " handler failed", e);
                } finally {
                    delivered++;
                    signalSyncedIfCaughtUp();
                }
            }
        }

        /** Caller holds deliveryLock. Notifications are delivered in order, so delivered counts them all. */
        private void signalSyncedIfCaughtUp() {
            if (syncedSent || syncTarget < 0 || delivered < syncTarget || closed) {
                return;
            }
            syncedSent = true;
            LOG.log(Level.INFO, "Caches are synced for " + kind + " config");
            try {
                synced.run();
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, kind + " synced handler failed", e);
            }
        }

        /**
         * A watch decoding each event with the proxy's decoders. An object that cannot be read
         * stands for its deletion when its metadata is intact, as a LIST leaving it out would
         * (the informer drops it, the handler is told); otherwise the watch fails, and the
         * reflector's relist leaves the object out.
         */
        private final class DecodingWatch extends Watch<T> {

            DecodingWatch(okhttp3.Response response, Call call) {
                super(client.getJSON(), response.body(), type, call);
            }

            @Override
            protected Watch.Response<T> parseLine(String line) throws IOException {
                try {
                    Watch.Response<T> event = decoder.events().read(new JsonReader(new StringReader(line)));
                    return event;
                } catch (ObjectRejectedException e) {
                    if (!e.identified()) {
                        throw new IOException(kind + " watch event cannot be read: " + e.getMessage());
                    }
                    LOG.log(Level.WARNING, "Treating " + e.object() + " as deleted: it cannot be read: " + e.fields());
                    @SuppressWarnings("unchecked") // the partial object of the decoder of T is a T
                    T partial = (T) e.partial();
                    return new Watch.Response<>("DELETED", partial);
                } catch (JsonParseException e) {
                    throw new IOException(kind + " watch event cannot be read: " + e.getMessage());
                }
            }
        }
    }

    /** Runs each task in the calling thread: starting an informer only starts its own threads. */
    private static final class CallerRunsExecutor extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable task) {
            if (shutdown) {
                throw new RejectedExecutionException("shut down");
            }
            task.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
