package io.switchyard.agent.healthcheck;

import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.rules.model.IpFamily;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Sync reports as a proxier would send them, for the listener tests. */
public final class Reports {

    private Reports() {
    }

    public static SyncReport applied(IpFamily family, Instant finished) {
        return report(family, true, finished, Duration.ofMillis(3), Map.of(), Map.of(),
                new SyncOutcome.Applied(true, 0, 0, Map.of("filter", 4, "nat", 12), Map.of(), Map.of()));
    }

    public static SyncReport failed(IpFamily family, boolean full, Instant finished, SyncOutcome.Stage stage) {
        return report(family, full, finished, Duration.ofMillis(3), Map.of(), Map.of(),
                new SyncOutcome.Failed(stage, "refused"));
    }

    public static SyncReport withHealthChecks(IpFamily family, Map<String, SyncReport.HealthCheck> checks) {
        return report(family, false, Instant.EPOCH, Duration.ofMillis(1), Map.of(), checks,
                new SyncOutcome.Applied(false, 0, 0, Map.of(), Map.of(), Map.of()));
    }

    public static SyncReport report(IpFamily family, boolean full, Instant finished, Duration elapsed,
                                    Map<String, List<Instant>> triggerTimes,
                                    Map<String, SyncReport.HealthCheck> checks, SyncOutcome outcome) {
        return new SyncReport(family, full, finished, elapsed, 3, 5, io.switchyard.rules.model.ClusterState.of(Map.of(), Map.of()),
                java.util.Set.of(), 1, 1, 1, triggerTimes, checks, outcome);
    }
}
