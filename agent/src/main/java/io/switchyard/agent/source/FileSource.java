package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.Problem;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Cluster state from manifests on disk instead of an API server: loads a file or directory at
 * start, then watches it and turns every change into the same add/update/delete events an
 * informer would deliver. Handy for demos, tests and nodes without an API server.
 */
public final class FileSource implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FileSource.class.getName());
    /** Editors write in bursts; wait this long for quiet before re-reading. */
    private static final long SETTLE_MILLIS = 100;

    private final Path path;
    private final String nodeName;
    private final ProxySelection selection;
    private final ServiceHandler services;
    private final EndpointSliceHandler slices;
    private final NodeHandler nodes;

    private Map<String, V1Service> currentServices = Map.of();
    private Map<String, V1EndpointSlice> currentSlices = Map.of();
    private V1Node currentNode;
    private WatchService watcher;
    private Thread thread;

    public FileSource(Path path, String nodeName, ProxySelection selection, ServiceHandler services,
                      EndpointSliceHandler slices, NodeHandler nodes) {
        this.path = path.toAbsolutePath().normalize();
        this.nodeName = nodeName;
        this.selection = selection;
        this.services = services;
        this.slices = slices;
        this.nodes = nodes;
    }

    /** Loads the manifests, delivers them, signals synced, and starts watching for changes. */
    public synchronized void start() throws IOException {
        reload();
        services.onServicesSynced();
        slices.onEndpointSlicesSynced();
        nodes.onNodeSynced();
        watcher = FileSystems.getDefault().newWatchService();
        registerAll();
        thread = Thread.ofPlatform().name("file-source").daemon().start(this::watch);
    }

    private void registerAll() throws IOException {
        Path root = Files.isDirectory(path) ? path : path.getParent();
        try (Stream<Path> dirs = Files.isDirectory(path) ? Files.walk(root) : Stream.of(root)) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
        }
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                drain(key);
                // Let a burst of writes settle into one reload.
                WatchKey more;
                while ((more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                synchronized (this) {
                    if (Files.isDirectory(path)) {
                        registerAll();
                    }
                    reload();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "watching " + path + " failed; manifests are no longer followed", e);
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /** Re-reads the manifests and delivers the differences as events. */
    private void reload() {
        ManifestLoader.Result loaded = ManifestLoader.load(path);
        for (Problem problem : loaded.problems()) {
            LOG.log(System.Logger.Level.WARNING, problem.toString());
        }
        Map<String, V1Service> nextServices = index(loaded.objects().services().stream()
                .filter(selection::selects).toList());
        Map<String, V1EndpointSlice> nextSlices = index(loaded.objects().endpointSlices().stream()
                .filter(selection::selects).toList());
        V1Node nextNode = loaded.objects().nodes().stream()
                .filter(n -> n.getMetadata() != null && nodeName.equals(n.getMetadata().getName()))
                .reduce((a, b) -> b).orElse(null);

        deliver(currentServices, nextServices, services::onServiceAdd, services::onServiceUpdate, services::onServiceDelete);
        deliver(currentSlices, nextSlices, slices::onEndpointSliceAdd, slices::onEndpointSliceUpdate,
                slices::onEndpointSliceDelete);
        if (currentNode == null && nextNode != null) {
            nodes.onNodeAdd(nextNode);
        } else if (currentNode != null && nextNode == null) {
            nodes.onNodeDelete(currentNode);
        } else if (currentNode != null && !currentNode.equals(nextNode)) {
            nodes.onNodeUpdate(currentNode, nextNode);
        }
        currentServices = nextServices;
        currentSlices = nextSlices;
        currentNode = nextNode;
    }

    private static <T> void deliver(Map<String, T> before, Map<String, T> after, java.util.function.Consumer<T> add,
                                    java.util.function.BiConsumer<T, T> update, java.util.function.Consumer<T> delete) {
        after.forEach((key, object) -> {
            T old = before.get(key);
            if (old == null) {
                add.accept(object);
            } else if (!old.equals(object)) {
                update.accept(old, object);
            }
        });
        before.forEach((key, object) -> {
            if (!after.containsKey(key)) {
                delete.accept(object);
            }
        });
    }

    private static <T extends KubernetesObject> Map<String, T> index(List<T> objects) {
        Map<String, T> out = new HashMap<>();
        Function<T, String> key = o -> o.getMetadata() == null ? ""
                : Objects.requireNonNullElse(o.getMetadata().getNamespace(), "default") + "/" + o.getMetadata().getName();
        objects.forEach(o -> out.put(key.apply(o), o));
        return out;
    }

    @Override
    public void close() throws IOException {
        if (watcher != null) {
            watcher.close();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
