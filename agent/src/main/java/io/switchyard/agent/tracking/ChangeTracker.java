package io.switchyard.agent.tracking;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.convert.EndpointSliceConverter;
import io.switchyard.agent.convert.Problem;
import io.switchyard.agent.convert.ServiceConverter;
import io.switchyard.rules.model.ClusterState;
import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.EndpointSlice;
import io.switchyard.rules.model.IpFamily;
import io.switchyard.rules.model.ServiceEndpoints;
import io.switchyard.rules.model.ServicePort;
import io.switchyard.rules.model.ServicePortName;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Follows Service and EndpointSlice events for one family's proxier, like kube-proxy's service
 * and endpoints change trackers: each event is converted at once, changes to one Service are
 * coalesced until the next sync, and a change that ends where the last sync left it is dropped.
 * A sync takes the pending changes as a {@link Changes}: the new cluster state and the Services
 * whose rules must be rewritten. Thread-safe; event handlers and the sync thread share it.
 */
public final class ChangeTracker {


    private static final System.Logger LOG = System.getLogger(ChangeTracker.class.getName());

    /**
     * What changed since the previous sync.
     *
     * @param state              the whole cluster state after the changes
     * @param changedServices    Services ({@code ns/name}) whose ports or endpoints changed
     * @param changedPorts       their service ports, before and after the change
     * @param triggerTimes       per changed Service, the trigger times of its slice changes
     * @param endpointChanges    how many endpoint-slice events went into this batch
     * @param serviceChanges     how many Service events went into this batch
     */
    public record Changes(ClusterState state, Set<String> changedServices, Set<ServicePortName> changedPorts,
                          Map<String, List<Instant>> triggerTimes, int endpointChanges, int serviceChanges) {
        public boolean isEmpty() {
            return changedServices.isEmpty();
        }
    }

    private final Instant startTime;
    private final Consumer<Problem> problems;
    private final ServiceConverter serviceConverter;
    private final EndpointSliceConverter sliceConverter;

    private final Object lock = new Object();
    // Current knowledge, updated on every event.
    private final Map<String, List<ServicePort>> services = new HashMap<>();
    private final Map<String, Map<String, EndpointSlice>> slices = new HashMap<>();
    // What the last sync saw, per Service, to tell real changes from no-ops.
    private final Map<String, List<ServicePort>> syncedServices = new HashMap<>();
    private final Map<String, Map<ServicePortName, List<Endpoint>>> syncedEndpoints = new HashMap<>();
    // The state handed to the last sync, kept up to date incrementally.
    private final TreeMap<ServicePortName, ServicePort> statePorts = new TreeMap<>();
    private final Map<ServicePortName, List<Endpoint>> stateEndpoints = new HashMap<>();

    private final Set<String> dirty = new HashSet<>();
    /** The part of {@link #dirty} whose Service object (not only its endpoints) changed. */
    private final Set<String> dirtyServiceObjects = new HashSet<>();
    private final Map<String, List<Instant>> triggerTimes = new HashMap<>();
    private int pendingEndpointEvents;
    private int pendingServiceEvents;

    public ChangeTracker(IpFamily family) {
        this(family, Instant.now());
    }

    /** @param startTime trigger times before this are not reported (the initial list is not a change) */
    public ChangeTracker(IpFamily family, Instant startTime) {
        this(family, startTime, p -> LOG.log(System.Logger.Level.WARNING, p.toString()));
    }

    /** As above, with what to do with an object that cannot be used as it is (default: log it). */
    public ChangeTracker(IpFamily family, Instant startTime, Consumer<Problem> problems) {
        this.startTime = startTime;
        this.problems = problems;
        this.serviceConverter = new ServiceConverter(family);
        this.sliceConverter = new EndpointSliceConverter(family);
    }

    /**
     * Records a Service event; {@code previous} null is an add, {@code current} null a delete.
     *
     * @return whether a sync is now needed
     */
    public boolean serviceUpdate(V1Service previous, V1Service current) {
        V1Service subject = current != null ? current : previous;
        if (subject == null || subject.getMetadata() == null) {
            return false;
        }
        String key = key(subject.getMetadata());
        List<ServicePort> ports = List.of();
        if (current != null) {
            List<Problem> found = new ArrayList<>();
            ports = serviceConverter.convert(current, found);
            found.forEach(problems);
        }
        synchronized (lock) {
            pendingServiceEvents++;
            if (ports.isEmpty()) {
                services.remove(key);
            } else {
                services.put(key, ports);
            }
            return markIfChanged(key);
        }
    }

    /**
     * Records an EndpointSlice event; {@code deleted} removes the slice.
     *
     * @return whether a sync is now needed
     */
    public boolean endpointSliceUpdate(V1EndpointSlice slice, boolean deleted) {
        if (slice == null || slice.getMetadata() == null) {
            return false;
        }
        List<Problem> found = new ArrayList<>();
        EndpointSlice converted = deleted ? null : sliceConverter.convert(slice, found).orElse(null);
        found.forEach(problems);
        String namespace = Objects.requireNonNullElse(slice.getMetadata().getNamespace(), "default");
        Map<String, String> labels = slice.getMetadata().getLabels();
        String serviceName = labels == null ? null : labels.get(EndpointSliceConverter.SERVICE_NAME_LABEL);
        if (serviceName == null) {
            return false;
        }
        String key = namespace + "/" + serviceName;
        String sliceName = slice.getMetadata().getName();
        Instant trigger = deleted ? null : triggerTime(slice.getMetadata());
        if (trigger != null && !trigger.isAfter(startTime)) {
            trigger = null;
        }
        synchronized (lock) {
            pendingEndpointEvents++;
            Map<String, EndpointSlice> ofService = slices.computeIfAbsent(key, k -> new HashMap<>());
            if (converted == null) {
                ofService.remove(sliceName);
                if (ofService.isEmpty()) {
                    slices.remove(key);
                }
            } else {
                ofService.put(sliceName, converted);
            }
            boolean changed = markIfChanged(key);
            if (changed && trigger != null) {
                triggerTimes.computeIfAbsent(key, k -> new ArrayList<>()).add(trigger);
            }
            return changed;
        }
    }

    /** Whether changes are waiting for a sync. */
    public boolean hasPendingChanges() {
        synchronized (lock) {
            return !dirty.isEmpty();
        }
    }

    /** How many Services have changes waiting. */
    public int pendingServices() {
        synchronized (lock) {
            return dirty.size();
        }
    }

    /** How many Services have a change of the Service object itself waiting (kube-proxy's service_changes_pending). */
    public int pendingServiceObjectChanges() {
        synchronized (lock) {
            return dirtyServiceObjects.size();
        }
    }

    /** Takes every pending change, as of now, for a sync. */
    public Changes takeChanges() {
        synchronized (lock) {
            Set<String> changed = Set.copyOf(dirty);
            Set<ServicePortName> changedPorts = new HashSet<>();
            for (String key : changed) {
                for (ServicePort old : syncedServices.getOrDefault(key, List.of())) {
                    changedPorts.add(old.name());
                    statePorts.remove(old.name());
                }
                for (ServicePortName old : syncedEndpoints.getOrDefault(key, Map.of()).keySet()) {
                    changedPorts.add(old);
                    stateEndpoints.remove(old);
                }
                List<ServicePort> ports = services.getOrDefault(key, List.of());
                Map<ServicePortName, List<Endpoint>> endpoints = mergedEndpoints(key);
                ports.forEach(p -> {
                    statePorts.put(p.name(), p);
                    changedPorts.add(p.name());
                });
                stateEndpoints.putAll(endpoints);
                changedPorts.addAll(endpoints.keySet());
                if (ports.isEmpty()) {
                    syncedServices.remove(key);
                } else {
                    syncedServices.put(key, ports);
                }
                if (endpoints.isEmpty()) {
                    syncedEndpoints.remove(key);
                } else {
                    syncedEndpoints.put(key, endpoints);
                }
            }
            Changes changes = new Changes(new ClusterState(statePorts, stateEndpoints), changed, changedPorts,
                    Map.copyOf(triggerTimes), pendingEndpointEvents, pendingServiceEvents);
            dirty.clear();
            dirtyServiceObjects.clear();
            triggerTimes.clear();
            pendingEndpointEvents = 0;
            pendingServiceEvents = 0;
            return changes;
        }
    }

    private boolean markIfChanged(String key) {
        boolean serviceChanged = !services.getOrDefault(key, List.of()).equals(syncedServices.getOrDefault(key, List.of()));
        boolean changed = serviceChanged || !mergedEndpoints(key).equals(syncedEndpoints.getOrDefault(key, Map.of()));
        if (serviceChanged) {
            dirtyServiceObjects.add(key);
        } else {
            dirtyServiceObjects.remove(key);
        }
        if (changed) {
            dirty.add(key);
        } else {
            dirty.remove(key);
            triggerTimes.remove(key);
        }
        return changed;
    }

    private Map<ServicePortName, List<Endpoint>> mergedEndpoints(String key) {
        Map<String, EndpointSlice> ofService = slices.get(key);
        if (ofService == null || ofService.isEmpty()) {
            return Map.of();
        }
        int slash = key.indexOf('/');
        return ServiceEndpoints.merge(key.substring(0, slash), key.substring(slash + 1), ofService.values());
    }

    private static String key(V1ObjectMeta metadata) {
        return Objects.requireNonNullElse(metadata.getNamespace(), "default") + "/" + metadata.getName();
    }

    private static Instant triggerTime(V1ObjectMeta metadata) {
        Map<String, String> annotations = metadata.getAnnotations();
        String value = annotations == null ? null : annotations.get(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
