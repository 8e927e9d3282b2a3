package io.switchyard.agent.cli;

import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncOutcome;
import io.switchyard.agent.proxy.SyncReport;
import io.switchyard.agent.source.InformerSource;
import io.switchyard.rules.model.IpFamily;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the time from process start to the first programmed rules went: JVM start, the agent's
 * set-up, each initial LIST (request, transfer, decoding), and the first sync of each family
 * (render and restore). Logged once per family, right after that family's first complete sync —
 * the figure an operator restarting a DaemonSet waits for.
 */
final class StartupTimeline implements SyncListener, InformerSource.ListObserver {

    private static final System.Logger LOG = System.getLogger(StartupTimeline.class.getName());

    private final InstantSource clock;
    private final Instant processStart;
    private final Map<String, Instant> marks = new LinkedHashMap<>();
    private final Map<String, String> lists = new LinkedHashMap<>();
    private final Set<IpFamily> reported = EnumSet.noneOf(IpFamily.class);
    private Instant listsDone;

    /** @param processStart when the process started (its JVM included) */
    StartupTimeline(InstantSource clock, Instant processStart) {
        this.clock = clock;
        this.processStart = processStart;
        mark("main");
    }

    /** The time of this process's start, as the kernel recorded it. */
    static Instant processStart() {
        return ProcessHandle.current().info().startInstant().orElse(Instant.now());
    }

    /** Notes that a step of the start-up is done now. */
    synchronized void mark(String step) {
        marks.putIfAbsent(step, clock.instant());
    }

    @Override
    public synchronized void listed(String kind, int items, Duration took) {
        if (!lists.containsKey(kind)) {
            lists.put(kind, items + " in " + took.toMillis() + "ms");
            listsDone = clock.instant();
        }
    }

    @Override
    public void syncCompleted(SyncReport report) {
        if (!(report.outcome() instanceof SyncOutcome.Applied applied)) {
            return;
        }
        String line;
        synchronized (this) {
            if (!reported.add(report.family())) {
                return;
            }
            StringBuilder out = new StringBuilder(256).append("Startup complete ipFamily=").append(report.family())
                    .append(" sinceProcessStart=").append(since(processStart, report.finished())).append("ms")
                    .append(" jvm=").append(since(processStart, marks.get("main"))).append("ms");
            Instant previous = marks.get("main");
            for (Map.Entry<String, Instant> mark : marks.entrySet()) {
                if (!mark.getKey().equals("main")) {
                    out.append(' ').append(mark.getKey()).append('=').append(since(previous, mark.getValue())).append("ms");
                    previous = mark.getValue();
                }
            }
            lists.forEach((kind, what) -> out.append(" list").append(kind).append('=').append(what));
            if (listsDone != null) {
                out.append(" listsDoneAt=").append(since(processStart, listsDone)).append("ms");
            }
            out.append(" firstSync=").append(report.elapsed().toMillis()).append("ms");
            Object render = applied.details().get("render");
            Object restore = applied.details().get("restore");
            if (render != null && restore != null) {
                out.append(" (render ").append(render).append(", restore ").append(restore).append(')');
            }
            line = out.toString();
        }
        LOG.log(System.Logger.Level.INFO, line);
    }

    private static long since(Instant from, Instant to) {
        return from == null || to == null ? -1 : Duration.between(from, to).toMillis();
    }
}
