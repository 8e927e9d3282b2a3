package io.switchyard.agent.traffic;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one {@link TrafficClient} run saw: how many requests each backend answered, which source
 * addresses the backends saw, and the failures by kind.
 *
 * @param answers             backend name -> requests it answered
 * @param sources             source address the backend saw (client IP, or the masquerade address) -> count
 * @param refused             RST or ICMP port unreachable (REJECT): fails fast
 * @param unreachable         ICMP host or network unreachable
 * @param timeouts            no answer within the timeout (DROP, or nothing listening behind a DNAT)
 * @param errors              anything else (reset after connect, closed without an answer, ...)
 * @param distinctSourcePorts how many different local ports the client's sockets used
 * @param elapsedMillis       wall time of the whole run, in the client
 * @param firstError          the first failure's exception, for messages; null when none failed
 */
public record TrafficResult(Map<String, Integer> answers, Map<String, Integer> sources, int refused,
                            int unreachable, int timeouts, int errors, int distinctSourcePorts,
                            long elapsedMillis, String firstError) {

    public TrafficResult {
        answers = Collections.unmodifiableMap(new TreeMap<>(answers));
        sources = Collections.unmodifiableMap(new TreeMap<>(sources));
    }

    /** Requests that got no answer, whatever the reason. */
    public int failures() {
        return refused + unreachable + timeouts + errors;
    }

    /** Requests some backend answered. */
    public int answered() {
        return answers.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** How many requests {@code backend} answered (0 when none). */
    public int count(String backend) {
        return answers.getOrDefault(backend, 0);
    }

    /** Reads {@link TrafficClient}'s summary. */
    public static TrafficResult parse(String summary) {
        Map<String, Integer> answers = new TreeMap<>();
        Map<String, Integer> sources = new TreeMap<>();
        Map<String, Long> scalars = new TreeMap<>();
        String firstError = null;
        for (String line : summary.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] words = line.strip().split(" ", 3);
            switch (words[0]) {
                case "answer" -> answers.put(words[1], Integer.parseInt(words[2]));
                case "source" -> sources.put(words[1], Integer.parseInt(words[2]));
                case "first-error" -> firstError = line.strip().substring("first-error ".length());
                default -> {
                    if (words.length != 2) {
                        throw new IllegalArgumentException("unexpected client output line: " + line);
                    }
                    scalars.put(words[0], Long.parseLong(words[1]));
                }
            }
        }
        for (String required : new String[] {"refused", "unreachable", "timeout", "error", "source-ports", "elapsed-ms"}) {
            if (!scalars.containsKey(required)) {
                throw new IllegalArgumentException("client summary lacks '" + required + "': " + summary);
            }
        }
        return new TrafficResult(answers, sources, scalars.get("refused").intValue(),
                scalars.get("unreachable").intValue(), scalars.get("timeout").intValue(),
                scalars.get("error").intValue(), scalars.get("source-ports").intValue(),
                scalars.get("elapsed-ms"), firstError);
    }

    @Override
    public String toString() {
        return "answers=" + answers + " sources=" + sources + " refused=" + refused + " unreachable=" + unreachable
                + " timeouts=" + timeouts + " errors=" + errors + " sourcePorts=" + distinctSourcePorts
                + " elapsed=" + elapsedMillis + "ms" + (firstError == null ? "" : " firstError=" + firstError);
    }
}
