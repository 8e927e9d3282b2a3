package io.switchyard.agent.fault;

import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.kernel.KernelTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to the real agent process, as the kubelet stops its container: kube-proxy leaves its
 * rules in the kernel when it exits, so traffic keeps flowing until the next agent takes over.
 * The agent must exit with status 0 within {@link #PROMPTLY}, log exactly one line while doing so,
 * leave every rule as it was, and close its health and metrics ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SigtermFaultTest {

    private static final Duration PROMPTLY = Duration.ofSeconds(5);

    @Test
    void sigtermKeepsTheRulesLogsOneLineAndExitsZeroPromptly() throws Exception {
        KernelTestSupport.requireRootWithIptables();
        try (AgentFixture node = AgentFixture.create(new ClusterGenerator(300, 3, 3).generate())) {
            AgentProcess agent = node.startAgent();
            assertThat(node.metrics()).as("/metrics answers").isEqualTo(200);
            String rules = NamespaceAccess.rules(node.ns);

            long signalled = System.nanoTime();
            agent.terminate();
            OptionalInt exit = agent.awaitExit(Duration.ofSeconds(30));
            long exitMillis = FaultFigures.millisSince(signalled);

            assertThat(exit).as("exited; log:%s", agent.tail(10)).isPresent();
            assertThat(exit.getAsInt()).as("exit status; log:%s", agent.tail(10)).isZero();
            assertThat(Duration.ofMillis(exitMillis)).as("time to exit").isLessThan(PROMPTLY);
            List<String> shutdown = agent.linesSince(signalled).stream().map(AgentProcess.Line::text).toList();
            assertThat(shutdown).as("what the agent logged after SIGTERM").hasSize(1);
            assertThat(shutdown.getFirst()).startsWith("I").contains("Received SIGTERM, shutting down");
            assertThat(agent.stackTraces()).isEmpty();
            assertThat(NamespaceAccess.rules(node.ns)).as("the rules after the agent exited").isEqualTo(rules);
            assertThat(node.healthz()).as("the health port after exit").isEqualTo(NamespaceAccess.REFUSED);
            assertThat(node.metrics()).as("the metrics port after exit").isEqualTo(NamespaceAccess.REFUSED);

            FaultFigures.record("sigterm", "exit_status", exit.getAsInt());
            FaultFigures.record("sigterm", "exit_ms", exitMillis);
            FaultFigures.record("sigterm", "lines_logged_after_sigterm", shutdown.size());
        }
    }
}
