package io.switchyard.agent.iptables;

import io.switchyard.rules.iptables.Ruleset;
import io.switchyard.rules.model.ServicePortName;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the syncs of one dataplane left in the kernel, and when each part was last written (a
 * generation number per sync), shared by the sync thread and the drift check. The drift check
 * compares the kernel with a {@link Snapshot} and keeps only findings about parts no sync has
 * written since, so a sync that runs while it reads the kernel never makes it see drift. The
 * drift check hands what it found back through {@link #addRepairs}; the next sync takes them.
 * Not thread-safe: the dataplane guards it with the lock its syncs hold.
 */
final class Ledger {

    /** A part of the rules that is written as a whole. */
    sealed interface Part {
        /** A service port's own chains. */
        record Service(ServicePortName name) implements Part {
        }

        /** nat KUBE-SERVICES and KUBE-NODEPORTS. */
        record Entry() implements Part {
        }

        /** The filter chains, KUBE-POSTROUTING and KUBE-MARK-MASQ: rewritten on every sync. */
        record Base() implements Part {
        }

        /** The jumps from the builtin chains and the canary chains. */
        record Jumps() implements Part {
        }

        Part ENTRY = new Entry();
        Part BASE = new Base();
        Part JUMPS = new Jumps();
    }

    /** What the kernel should hold, as of one generation. */
    record Snapshot(Ruleset applied, long generation, Map<ServicePortName, Long> serviceGenerations,
                    long entryGeneration, long baseGeneration, long jumpsGeneration) {

        /** The generation that last wrote a part; -1 for a service port that is not applied. */
        long generationOf(Part part) {
            return switch (part) {
                case Part.Service(ServicePortName name) -> serviceGenerations.getOrDefault(name, -1L);
                case Part.Entry() -> entryGeneration;
                case Part.Base() -> baseGeneration;
                case Part.Jumps() -> jumpsGeneration;
            };
        }
    }

    /**
     * What the next sync must repair beyond what it would write anyway.
     *
     * @param full     rewrite everything: the damage is wide
     * @param chains   service chains to rewrite
     * @param natEntry rewrite KUBE-SERVICES and KUBE-NODEPORTS
     * @param jumps    re-check the jumps and re-create the canary chains
     * @param findings what was found, for the repair's log line
     */
    record Repairs(boolean full, Set<String> chains, boolean natEntry, boolean jumps, List<String> findings) {

        static final Repairs NONE = new Repairs(false, Set.of(), false, false, List.of());

        Repairs {
            chains = Set.copyOf(chains);
            findings = List.copyOf(findings);
        }

        Repairs and(Repairs other) {
            Set<String> allChains = new HashSet<>(chains);
            allChains.addAll(other.chains);
            List<String> all = new ArrayList<>(findings);
            all.addAll(other.findings);
            return new Repairs(full || other.full, allChains, natEntry || other.natEntry, jumps || other.jumps, all);
        }

        /**
         * What the next sync must do about a drift check's findings: rewrite the drifted service
         * chains, or everything when more than half of them drifted (a flushed table).
         */
        static Repairs of(List<DriftDetector.Finding> found, Ruleset applied) {
            Set<String> chains = new HashSet<>();
            boolean entry = false;
            boolean jumps = false;
            for (DriftDetector.Finding finding : found) {
                switch (finding.part()) {
                    case Part.Service service -> chains.add(finding.chain());
                    case Part.Entry() -> entry = true;
                    case Part.Jumps() -> jumps = true;
                    case Part.Base() -> {
                        // Rewritten by every sync.
                    }
                }
            }
            boolean wide = !chains.isEmpty() && chains.size() * 2 > applied.activeServiceChains().size();
            return new Repairs(wide, wide ? Set.of() : chains, entry, jumps, DriftDetector.describe(found));
        }
    }

    private Ruleset applied;
    private long generation;
    private final Map<ServicePortName, Long> serviceGenerations = new HashMap<>();
    private long entryGeneration;
    private long baseGeneration;
    private long jumpsGeneration;
    private Repairs repairs = Repairs.NONE;

    /** The ruleset the kernel holds, or null when unknown (before a sync, after a failed one). */
    Ruleset applied() {
        return applied;
    }

    /** Starts a sync that may write anything: returns its generation. */
    long begin() {
        return ++generation;
    }

    /** A sync failed: what the kernel holds is unknown until a full sync. */
    void forget() {
        applied = null;
        serviceGenerations.clear();
        entryGeneration = baseGeneration = jumpsGeneration = generation;
    }

    /**
     * A sync succeeded.
     *
     * @param written  service ports whose chains (or lines in shared chains) it wrote or deleted
     * @param entry    whether it wrote KUBE-SERVICES and KUBE-NODEPORTS
     * @param jumps    whether it inserted jumps or created canaries
     */
    void applied(Ruleset ruleset, Set<ServicePortName> written, boolean entry, boolean jumps) {
        applied = ruleset;
        serviceGenerations.keySet().retainAll(ruleset.services().keySet());
        for (ServicePortName name : ruleset.services().keySet()) {
            if (written.contains(name) || !serviceGenerations.containsKey(name)) {
                serviceGenerations.put(name, generation);
            }
        }
        if (entry) {
            entryGeneration = generation;
        }
        if (jumps) {
            jumpsGeneration = generation;
        }
        baseGeneration = generation;
    }

    Snapshot snapshot() {
        return new Snapshot(applied, generation, Map.copyOf(serviceGenerations), entryGeneration, baseGeneration,
                jumpsGeneration);
    }

    /** Whether no sync wrote a part since the snapshot was taken (and it is still applied). */
    boolean unchangedSince(Part part, Snapshot snapshot) {
        if (applied == null) {
            return false;
        }
        long now = switch (part) {
            case Part.Service(ServicePortName name) -> serviceGenerations.getOrDefault(name, -1L);
            case Part.Entry() -> entryGeneration;
            case Part.Base() -> baseGeneration;
            case Part.Jumps() -> jumpsGeneration;
        };
        return now == snapshot.generationOf(part);
    }

    void addRepairs(Repairs found) {
        repairs = repairs.and(found);
    }

    /** The repairs found since the last sync took them. */
    Repairs takeRepairs() {
        Repairs taken = repairs;
        repairs = Repairs.NONE;
        return taken;
    }
}
