package io.switchyard.agent.proxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a {@link Dataplane} did with one {@link SyncRequest}. */
public sealed interface SyncOutcome {

    /**
     * The kernel holds the requested state.
     *
     * @param full                     whether the dataplane rewrote everything (it may do so for a partial request)
     * @param noLocalEndpointsInternal iTP Local service ports with endpoints elsewhere but none here
     * @param noLocalEndpointsExternal eTP Local service ports with endpoints elsewhere but none here
     * @param iptablesRules            rules per iptables table after the sync ({@code filter}, {@code nat})
     * @param iptablesRulesWritten     rules per iptables table this sync wrote
     * @param details                  mode-specific figures for the sync's log line, in order
     * @param refused                  what the kernel refused while everything else was applied: one
     *                                 {@link Failed} per refused Service, its message naming it; the
     *                                 Service keeps its previous rules and is retried on later syncs.
     *                                 Metrics count each as a restore failure of its stage.
     */
    record Applied(boolean full, int noLocalEndpointsInternal, int noLocalEndpointsExternal, Map<String, Integer> iptablesRules,
                   Map<String, Integer> iptablesRulesWritten, Map<String, Object> details, List<Failed> refused)
            implements SyncOutcome {
        public Applied {
            iptablesRules = Map.copyOf(iptablesRules);
            iptablesRulesWritten = Map.copyOf(iptablesRulesWritten);
            details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
            refused = List.copyOf(refused);
        }

        /** Everything requested was applied. */
        public Applied(boolean full, int noLocalEndpointsInternal, int noLocalEndpointsExternal,
                       Map<String, Integer> iptablesRules, Map<String, Integer> iptablesRulesWritten,
                       Map<String, Object> details) {
            this(full, noLocalEndpointsInternal, noLocalEndpointsExternal, iptablesRules, iptablesRulesWritten, details,
                    List.of());
        }
    }

    /**
     * The sync did not complete; the kernel may hold part of it.
     *
     * @param stage   what failed, for metrics: see {@link Stage}
     * @param message one line for the log
     */
    record Failed(Stage stage, String message) implements SyncOutcome {
    }

    /** Which step of a sync failed. */
    enum Stage {
        /** iptables-restore refused the document of a full sync. */
        IPTABLES_RESTORE,
        /** iptables-restore refused the document of a partial sync. */
        IPTABLES_PARTIAL_RESTORE,
        /** ipset restore, IPVS, links or addresses. */
        KERNEL,
        /** Anything else (a bug): logged with its detail. */
        INTERNAL
    }
}
