package io.switchyard.agent.cli;

import io.switchyard.agent.healthcheck.Reports;
import io.switchyard.rules.model.IpFamily;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The heap pacer collects when the old generation outgrows its live set by half plus a margin, and not more often than it should. */
class HeapPacerTest {

    private static final long MB = 1L << 20;

    private final AtomicLong used = new AtomicLong();
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger collections = new AtomicInteger();
    private volatile CountDownLatch collected = new CountDownLatch(1);
    private final HeapPacer pacer = new HeapPacer(used::get, live::get, now::get, () -> {
        collections.incrementAndGet();
        used.set(live.get());
        collected.countDown();
    });

    private void sync() {
        pacer.syncCompleted(Reports.withHealthChecks(IpFamily.IPV4, Map.of()));
    }

    private void awaitCollection() throws InterruptedException {
        assertThat(collected.await(5, TimeUnit.SECONDS)).as("a collection").isTrue();
        collected = new CountDownLatch(1);
        Thread.sleep(50); // the pacer's thread marks itself done after the collection
    }

    @Test
    void collectsOnceTheOldGenerationHoldsMoreThanHalfAgainItsLiveSet() throws InterruptedException {
        live.set(130 * MB);
        used.set(130 * MB + 65 * MB + HeapPacer.MARGIN);
        sync();
        Thread.sleep(100);
        assertThat(collections).as("at the threshold").hasValue(0);

        used.addAndGet(MB);
        sync();
        awaitCollection();
        assertThat(collections).hasValue(1);
    }

    @Test
    void collectsAtMostOncePerIntervalWhateverTheNumbers() throws InterruptedException {
        live.set(100 * MB);
        used.set(1000 * MB);
        sync();
        awaitCollection();

        used.set(1000 * MB);
        now.addAndGet(HeapPacer.MIN_INTERVAL.toNanos() - 1);
        sync();
        Thread.sleep(100);
        assertThat(collections).hasValue(1);

        now.addAndGet(1);
        sync();
        awaitCollection();
        assertThat(collections).hasValue(2);
    }

    @Test
    void dueMeansHalfAgainTheLiveSetPlusTheMargin() {
        assertThat(HeapPacer.due(150 * MB + HeapPacer.MARGIN + 1, 100 * MB)).isTrue();
        assertThat(HeapPacer.due(150 * MB + HeapPacer.MARGIN, 100 * MB)).isFalse();
        assertThat(HeapPacer.due(HeapPacer.MARGIN + 1, 0)).as("before any full collection").isTrue();
    }
}
