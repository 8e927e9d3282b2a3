package io.switchyard.agent.exec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Running the host's programs: the time-out holds even for a program that never reads its input. */
class HostProcessRunnerTest {

    @Test
    void aProgramThatDoesNotReadItsInputIsStillTimedOut() {
        HostProcessRunner runner = new HostProcessRunner(List.of(), 1);
        String input = "x".repeat(8 << 20); // far more than a pipe holds

        long start = System.nanoTime();
        ProcessRunner.Result result = runner.run(List.of("sleep", "30"), input);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertThat(result.exitCode()).isEqualTo(124);
        assertThat(seconds).as("seconds until the runner gave up").isLessThan(10);
    }

    @Test
    void aProgramThatReadsItsInputGetsAllOfIt() {
        HostProcessRunner runner = new HostProcessRunner(List.of(), 30);
        String input = "line\n".repeat(200_000);

        ProcessRunner.Result result = runner.run(List.of("wc", "-l"), input);

        assertThat(result.exitCode()).isZero();
        assertThat(result.stdout().strip()).isEqualTo("200000");
    }
}
