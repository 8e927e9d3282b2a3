package io.switchyard.agent.cli;

import io.switchyard.agent.proxy.SyncListener;
import io.switchyard.agent.proxy.SyncReport;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Keeps the old generation within one and a half times what survives a full collection (Go's
 * collector keeps kube-proxy's heap within twice its live set; the JVM's fixed costs are higher,
 * so the heap gets less room). On its own the serial collector grows the old generation by
 * promotion, up to the maximum heap (a quarter of the node's memory), before it ever collects
 * it: under steady churn a 10k-Service agent went from 300 MB to 1 GB RSS in four minutes with
 * 130 MB live. After a sync, when the old generation holds more than half again what the last
 * full collection left plus a margin, a full collection runs on a thread of its own, and the
 * heap shrinks back.
 */
public final class HeapPacer implements SyncListener {

    private static final System.Logger LOG = System.getLogger(HeapPacer.class.getName());

    /** Slack above the live set's half again, so that a small heap is not collected over and over. */
    static final long MARGIN = 32L << 20;
    /** At most one collection per this, whatever the numbers say. */
    static final Duration MIN_INTERVAL = Duration.ofSeconds(10);

    private final LongSupplier oldUsed;
    private final LongSupplier oldLiveAfterFull;
    private final LongSupplier nanoTime;
    private final Runnable collect;
    private final AtomicBoolean collecting = new AtomicBoolean();
    private volatile long lastCollection = Long.MIN_VALUE;

    HeapPacer(LongSupplier oldUsed, LongSupplier oldLiveAfterFull, LongSupplier nanoTime, Runnable collect) {
        this.oldUsed = oldUsed;
        this.oldLiveAfterFull = oldLiveAfterFull;
        this.nanoTime = nanoTime;
        this.collect = collect;
    }

    /** A pacer for this JVM's old generation, or none when the collector has no pool we know. */
    public static List<SyncListener> forThisJvm() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getName().equals("Tenured Gen")) {
                return List.of(new HeapPacer(() -> pool.getUsage().getUsed(),
                        () -> pool.getCollectionUsage().getUsed(), System::nanoTime, System::gc));
            }
        }
        return List.of();
    }

    /** Whether the old generation has outgrown one and a half times its live set (plus the margin). */
    static boolean due(long used, long liveAfterFull) {
        return used > liveAfterFull + liveAfterFull / 2 + MARGIN;
    }

    @Override
    public void syncCompleted(SyncReport report) {
        long now = nanoTime.getAsLong();
        if (lastCollection != Long.MIN_VALUE && now - lastCollection < MIN_INTERVAL.toNanos()) {
            return;
        }
        long used = oldUsed.getAsLong();
        long live = oldLiveAfterFull.getAsLong();
        if (!due(used, live) || !collecting.compareAndSet(false, true)) {
            return;
        }
        lastCollection = now;
        Thread.ofVirtual().name("heap-pacer").start(() -> {
            try {
                long start = System.nanoTime();
                collect.run();
                LOG.log(System.Logger.Level.DEBUG, "Collected the heap oldGenUsedMB={0} liveAfterLastMB={1} "
                        + "nowLiveMB={2} elapsed={3}ms", used >> 20, live >> 20, oldLiveAfterFull.getAsLong() >> 20,
                        (System.nanoTime() - start) / 1_000_000);
            } finally {
                collecting.set(false);
            }
        });
    }
}
