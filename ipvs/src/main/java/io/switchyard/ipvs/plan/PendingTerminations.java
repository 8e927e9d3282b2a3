package io.switchyard.ipvs.plan;

import io.switchyard.ipvs.Destination;
import io.switchyard.ipvs.VirtualServer;
import io.switchyard.rules.model.Protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The real servers that were removed from the desired state but still hold TCP connections:
 * they stay in the kernel with weight 0 (no new connections) until their last connection is
 * gone. An immutable value: the agent keeps the latest one between syncs, and a background
 * sweep re-evaluates it against the kernel's counters.
 */
public record PendingTerminations(SortedMap<Id, VirtualServer> entries) {

    /** One draining real server: its virtual server and its address and port. */
    public record Id(VirtualServer.Key server, Destination.Key destination) implements Comparable<Id> {
        private static final Comparator<Id> ORDER = Comparator.comparing(Id::server).thenComparing(Id::destination);

        public Id {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public int compareTo(Id other) {
            return ORDER.compare(this, other);
        }

        @Override
        public String toString() {
            return server + "/" + server.protocol().lowerCase() + "/" + destination;
        }
    }

    /** What a sweep deletes and what remains pending afterwards. */
    public record Sweep(List<IpvsOperation.DeleteDestination> deletions, PendingTerminations remaining) {
        public Sweep {
            deletions = List.copyOf(deletions);
            Objects.requireNonNull(remaining, "remaining");
        }
    }

    public PendingTerminations {
        entries = Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** Nothing draining. */
    public static PendingTerminations empty() {
        return new PendingTerminations(new TreeMap<>());
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    public boolean contains(VirtualServer.Key server, Destination.Key destination) {
        return entries.containsKey(new Id(server, destination));
    }

    /** This set plus one draining real server. */
    public PendingTerminations with(VirtualServer server, Destination.Key destination) {
        TreeMap<Id, VirtualServer> copy = new TreeMap<>(entries);
        copy.put(new Id(server.key(), destination), server);
        return new PendingTerminations(copy);
    }

    /** This set without one real server. */
    public PendingTerminations without(VirtualServer.Key server, Destination.Key destination) {
        Id id = new Id(server, destination);
        if (!entries.containsKey(id)) {
            return this;
        }
        TreeMap<Id, VirtualServer> copy = new TreeMap<>(entries);
        copy.remove(id);
        return new PendingTerminations(copy);
    }

    /** The virtual servers with draining real servers: the ones a sweep needs the kernel's counters for. */
    public List<VirtualServer> servers() {
        TreeMap<VirtualServer.Key, VirtualServer> out = new TreeMap<>();
        entries.values().forEach(s -> out.put(s.key(), s));
        return List.copyOf(out.values());
    }

    /**
     * Re-evaluates every draining real server against what the kernel reports now: one that is
     * gone (or whose virtual server is gone) is forgotten, one without connections (or of a
     * protocol that does not drain) is deleted, the others stay pending.
     *
     * @param installed per virtual server of {@link #servers()}, its real servers as the kernel
     *                  lists them; a virtual server missing from the map is gone
     */
    public Sweep sweep(Map<VirtualServer.Key, List<Destination>> installed) {
        List<IpvsOperation.DeleteDestination> deletions = new ArrayList<>();
        TreeMap<Id, VirtualServer> remaining = new TreeMap<>();
        entries.forEach((id, server) -> {
            List<Destination> destinations = installed.get(id.server());
            if (destinations == null) {
                return;
            }
            for (Destination destination : destinations) {
                if (destination.key().equals(id.destination())) {
                    if (drained(server, destination)) {
                        deletions.add(new IpvsOperation.DeleteDestination(server, destination));
                    } else {
                        remaining.put(id, server);
                    }
                    return;
                }
            }
        });
        return new Sweep(deletions, new PendingTerminations(remaining));
    }

    /**
     * Whether a real server may go now: it holds no connection, or it serves UDP or SCTP, which do
     * not drain (their connections expire on the next packet, expire_nodest_conn being set).
     */
    static boolean drained(VirtualServer server, Destination destination) {
        return server.protocol() != Protocol.TCP
                || destination.activeConnections() + destination.inactiveConnections() == 0;
    }
}
