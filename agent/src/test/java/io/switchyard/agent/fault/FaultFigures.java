package io.switchyard.agent.fault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The figures a fault test measured (times to repair, connections tried and failed), printed and
 * appended to {@code target/fault-figures.txt} so that a run of the suite leaves them in one
 * place for docs/reliability.md.
 */
final class FaultFigures {

    private static final Path FILE = Path.of("target", "fault-figures.txt");

    private FaultFigures() {
    }

    static void record(String test, String figure, Object value) {
        String line = Instant.now() + " " + test + " " + figure + "=" + value;
        System.out.println("FAULT-FIGURE " + line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(cannot append to " + FILE.toAbsolutePath() + ": " + e.getMessage() + ")");
        }
    }

    static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
