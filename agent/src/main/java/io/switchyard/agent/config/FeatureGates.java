package io.switchyard.agent.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The feature gates kube-proxy v1.32 accepts. Like kube-proxy, an unknown gate name is an error;
 * a known gate Switchyard does not act on is accepted and has no effect.
 */
public final class FeatureGates {

    /** kube-proxy's gate for {@code hints.forNodes}; off in v1.32, whose rules we reproduce. */
    public static final String PREFER_SAME_TRAFFIC_DISTRIBUTION = "PreferSameTrafficDistribution";

    /** The gates that change what Switchyard does. */
    public static final Set<String> ACTED_ON = Set.of(PREFER_SAME_TRAFFIC_DISTRIBUTION);

    /** Every gate name kube-proxy v1.32 knows (see the resource file for where the list comes from). */
    public static final Set<String> KNOWN = load();

    private FeatureGates() {
    }

    /**
     * Checks every name of a gate map: the result is the same map, sorted; an unknown name is an
     * error naming {@code label} (the flag or field) and the gate.
     */
    public static Map<String, Boolean> validate(String label, Map<String, Boolean> gates) {
        Map<String, Boolean> out = new TreeMap<>();
        gates.forEach((name, value) -> {
            if (!KNOWN.contains(name)) {
                throw new ConfigException(label + ": unrecognized feature gate \"" + name + "\"" + suggestion(name));
            }
            out.put(name, value);
        });
        return out;
    }

    /** Parses a flag value such as {@code true}, {@code False} into a gate value, naming the gate when it cannot. */
    public static boolean parseValue(String label, String name, String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "t", "1" -> true;
            case "false", "f", "0" -> false;
            default -> throw new ConfigException(label + ": " + name + " must be true or false, got \"" + value + "\"");
        };
    }

    private static String suggestion(String name) {
        return KNOWN.stream().filter(k -> k.equalsIgnoreCase(name)).findFirst()
                .map(k -> " (did you mean " + k + "?)").orElse("");
    }

    private static Set<String> load() {
        Set<String> names = new TreeSet<>();
        try (InputStream in = FeatureGates.class.getResourceAsStream("kube-proxy-feature-gates.txt")) {
            if (in == null) {
                throw new IllegalStateException("kube-proxy-feature-gates.txt is missing from the jar");
            }
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .forEach(names::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(names);
    }
}
