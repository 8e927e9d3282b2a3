package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.Problem;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Cluster state from manifests on disk instead of an API server: reads a file or a directory
 * tree at start, then follows it and turns every change into the add/update/delete events an
 * informer would deliver. An edit costs what it changes: only the files whose stamp changed
 * are read again (see {@link ManifestTree}), and the events of one refresh are delivered inside
 * one {@link Batching batch}, so that one sync sees a file's objects together. Changes are
 * noticed through a {@link WatchService}, and by a stat-only rescan every
 * {@link #RESCAN_PERIOD} (or when the watch overflowed) for whatever the watch missed.
 */
public final class FileSource implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FileSource.class.getName());
    /** How often every file is looked at (its stamp, not its content) even when no event came. */
    public static final Duration RESCAN_PERIOD = Duration.ofSeconds(5);
    /** Writers write in bursts: after an event, wait this long for quiet before refreshing. */
    private static final long SETTLE_MILLIS = 100;
    /** ...but never longer than this, so a directory written without pause is still followed. */
    private static final long MAX_SETTLE_MILLIS = 2_000;

    /** Holds back syncs while the events of one refresh are delivered, so that one sync sees them all. */
    @FunctionalInterface
    public interface Batching {

        /** Nothing held back: each event may be seen by a sync of its own. */
        Batching NONE = () -> () -> {
        };

        /** Starts holding back syncs until the batch is closed. */
        Batch begin();

        /** A held batch; closing it lets syncs see its events. */
        @FunctionalInterface
        interface Batch extends AutoCloseable {
            @Override
            void close();
        }
    }

    private final Path path;
    private final ServiceHandler services;
    private final EndpointSliceHandler slices;
    private final NodeHandler nodes;
    private final Batching batching;
    private final Duration rescanPeriod;
    private final ManifestTree tree;
    private final Map<Path, WatchKey> watched = new HashMap<>();
    private final Map<Path, String> watchFailures = new HashMap<>();

    private WatchService watcher;
    private Thread thread;
    private volatile boolean closed;

    /**
     * @param nodeName  this node's name: only its Node object is followed
     * @param selection which Services and EndpointSlices are this proxy's
     * @param batching  how syncs are held back while a refresh is delivered (the proxier's deferSyncs)
     */
    public FileSource(Path path, String nodeName, ProxySelection selection, ServiceHandler services,
                      EndpointSliceHandler slices, NodeHandler nodes, Batching batching) {
        this(path, nodeName, selection, services, slices, nodes, batching, ManifestDisk.LOCAL, RESCAN_PERIOD,
                ManifestLoader.MAX_FILE_BYTES);
    }

    FileSource(Path path, String nodeName, ProxySelection selection, ServiceHandler services,
               EndpointSliceHandler slices, NodeHandler nodes, Batching batching, ManifestDisk disk,
               Duration rescanPeriod, long maxFileBytes) {
        this.path = path.toAbsolutePath().normalize();
        this.services = services;
        this.slices = slices;
        this.nodes = nodes;
        this.batching = batching;
        this.rescanPeriod = rescanPeriod;
        this.tree = new ManifestTree(this.path, disk, maxFileBytes, object -> switch (object) {
            case V1Service s -> selection.selects(s);
            case V1EndpointSlice s -> selection.selects(s);
            case V1Node n -> n.getMetadata() != null && nodeName.equals(n.getMetadata().getName());
            default -> false;
        }, this::watch);
    }

    /** Reads the manifests, delivers them, signals synced, and starts following changes. */
    public synchronized void start() throws IOException {
        watcher = FileSystems.getDefault().newWatchService();
        if (path.getParent() != null) {
            watch(path.getParent()); // the path itself may be created, removed or replaced
        }
        refresh(null);
        services.onServicesSynced();
        slices.onEndpointSlicesSynced();
        nodes.onNodeSynced();
        thread = Thread.ofPlatform().name("file-source").daemon().start(this::follow);
    }

    private void follow() {
        long nextRescan = System.nanoTime() + rescanPeriod.toNanos();
        while (!closed) {
            try {
                long wait = Math.max(0, nextRescan - System.nanoTime());
                WatchKey key = watcher.poll(wait, TimeUnit.NANOSECONDS);
                Set<Path> dirty = new LinkedHashSet<>();
                boolean rescan = key == null;
                if (key != null) {
                    rescan = drain(key, dirty);
                    long settleEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_SETTLE_MILLIS);
                    while (System.nanoTime() < settleEnd
                            && (key = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                        rescan |= drain(key, dirty);
                    }
                }
                refresh(rescan ? null : dirty);
                if (rescan) {
                    nextRescan = System.nanoTime() + rescanPeriod.toNanos();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                // A defect, not the input's: keep following, say what happened on one line.
                LOG.log(System.Logger.Level.ERROR, "following manifests in " + path + ": " + e);
            }
        }
    }

    /**
     * Turns one key's events into the paths to refresh: a name is refreshed once however many
     * events it had (a rename over a file is one change of that file). Hidden names are
     * editors' and tools' temporary files and are not read, except that a change of a
     * {@code ..name} (how a ConfigMap volume swaps its content) refreshes the directory.
     *
     * @return whether everything must be looked at (the watch lost events)
     */
    private boolean drain(WatchKey key, Set<Path> dirty) {
        Path directory = (Path) key.watchable();
        boolean overflow = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                overflow = true;
                continue;
            }
            Path child = directory.resolve((Path) event.context());
            String name = child.getFileName().toString();
            if (!directory.startsWith(path)) { // the path's parent: only the path itself counts
                if (child.equals(path) || name.startsWith("..")) {
                    dirty.add(path);
                }
            } else if (name.startsWith("..")) {
                dirty.add(directory);
            } else if (!name.startsWith(".")) {
                dirty.add(child);
            }
        }
        if (!key.reset()) {
            synchronized (this) {
                watched.remove(directory, key);
            }
            dirty.add(directory);
        }
        return overflow;
    }

    /** Refreshes the given paths (null: everything) and delivers the changes as one batch. */
    private synchronized void refresh(Set<Path> dirty) {
        if (closed) {
            return;
        }
        long start = System.nanoTime();
        long readsBefore = tree.reads();
        List<ObjectIndex.Change> changes = new ArrayList<>();
        if (dirty == null || dirty.contains(path)) {
            tree.refreshAll(changes);
        } else {
            dirty.forEach(p -> tree.refresh(p, changes));
        }
        if (changes.isEmpty()) {
            return;
        }
        changes.sort(Comparator.comparingInt(FileSource::deliveryOrder));
        try (Batching.Batch batch = batching.begin()) {
            changes.forEach(this::deliver);
        }
        long filesRead = tree.reads() - readsBefore;
        LOG.log(System.Logger.Level.DEBUG, () -> "Manifests changed path=" + path + " filesRead=" + filesRead
                + " changes=" + changes.size() + " objects=" + tree.objects() + " elapsed="
                + (System.nanoTime() - start) / 1_000_000 + "ms");
    }

    /** The node first (topology), then Services, then their slices, as a cluster would create them. */
    private static int deliveryOrder(ObjectIndex.Change change) {
        return switch (change.after() != null ? change.after() : change.before()) {
            case V1Node n -> 0;
            case V1Service s -> 1;
            default -> 2;
        };
    }

    private void deliver(ObjectIndex.Change change) {
        KubernetesObject before = change.before();
        KubernetesObject after = change.after();
        switch (after != null ? after : before) {
            case V1Service s -> {
                if (before == null) {
                    services.onServiceAdd(s);
                } else if (after == null) {
                    services.onServiceDelete(s);
                } else {
                    services.onServiceUpdate((V1Service) before, s);
                }
            }
            case V1EndpointSlice s -> {
                if (before == null) {
                    slices.onEndpointSliceAdd(s);
                } else if (after == null) {
                    slices.onEndpointSliceDelete(s);
                } else {
                    slices.onEndpointSliceUpdate((V1EndpointSlice) before, s);
                }
            }
            case V1Node n -> {
                if (before == null) {
                    nodes.onNodeAdd(n);
                } else if (after == null) {
                    nodes.onNodeDelete(n);
                } else {
                    nodes.onNodeUpdate((V1Node) before, n);
                }
            }
            case KubernetesObject other -> throw new IllegalStateException("not followed: " + other.getKind());
        }
    }

    /** Watches a directory (once); a directory that cannot be watched is still rescanned. */
    private synchronized void watch(Path directory) {
        WatchKey key = watched.get(directory);
        if (key != null && key.isValid()) {
            return;
        }
        try {
            watched.put(directory, directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY));
            watchFailures.remove(directory);
        } catch (NoSuchFileException e) {
            // gone meanwhile
        } catch (IOException | ClosedWatchServiceException e) {
            String reason = "cannot watch the directory: " + ManifestLoader.reason(e) + "; its changes are seen by "
                    + "the rescan every " + rescanPeriod.toSeconds() + "s";
            if (!reason.equals(watchFailures.put(directory, reason))) {
                LOG.log(System.Logger.Level.WARNING, new Problem(directory.toString(), reason).toString());
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        if (watcher != null) {
            watcher.close();
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
