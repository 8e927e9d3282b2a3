package io.switchyard.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads one YAML value as the kind of value a setting holds, with a message naming the field when it cannot. */
final class ConfigValues {

    private ConfigValues() {
    }

    /** The typed value, or null for YAML null (and for an empty string). */
    static Object read(String where, Setting<?> setting, Object raw) {
        if (raw == null) {
            return null;
        }
        String field = where + ": " + setting.path();
        return switch (setting.kind()) {
            case STRING -> {
                if (raw instanceof Map<?, ?> || raw instanceof Collection<?>) {
                    throw new ConfigException(field + " must be a string");
                }
                String s = String.valueOf(raw);
                yield s.isEmpty() ? null : s;
            }
            case BOOLEAN -> {
                if (!(raw instanceof Boolean b)) {
                    throw new ConfigException(field + " must be true or false, got " + raw);
                }
                yield b;
            }
            case INTEGER -> {
                if (raw instanceof Integer i) {
                    yield i;
                }
                throw new ConfigException(field + " must be an integer, got " + raw);
            }
            case NUMBER -> {
                if (raw instanceof Number n) {
                    yield n.doubleValue();
                }
                throw new ConfigException(field + " must be a number, got " + raw);
            }
            case DURATION -> duration(field, raw);
            case DURATION_OR_NANOS -> raw instanceof Number n ? Duration.ofNanos(n.longValue()) : duration(field, raw);
            case STRING_LIST -> {
                if (!(raw instanceof List<?> list)) {
                    throw new ConfigException(field + " must be a list");
                }
                List<String> out = new ArrayList<>();
                for (Object item : list) {
                    if (item == null || item instanceof Map<?, ?> || item instanceof Collection<?>) {
                        throw new ConfigException(field + " must be a list of strings");
                    }
                    out.add(String.valueOf(item));
                }
                yield List.copyOf(out);
            }
            case GATES -> {
                if (!(raw instanceof Map<?, ?> map)) {
                    throw new ConfigException(field + " must be a mapping of feature names to true or false");
                }
                Map<String, Boolean> gates = new TreeMap<>();
                map.forEach((k, v) -> {
                    if (!(v instanceof Boolean b)) {
                        throw new ConfigException(field + "." + k + " must be true or false");
                    }
                    gates.put(String.valueOf(k), b);
                });
                yield gates;
            }
        };
    }

    private static Duration duration(String field, Object raw) {
        if (!(raw instanceof String s)) {
            throw new ConfigException(field + " must be a duration such as \"30s\" or \"1m0s\", got " + raw);
        }
        try {
            return GoDuration.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field + ": " + e.getMessage());
        }
    }

    /** Whether a value is its kind's zero value (as Go would leave it): nothing to act on. */
    static boolean isZero(Object value) {
        return switch (value) {
            case null -> true;
            case String s -> s.isEmpty() || s.equals("0");
            case Boolean b -> !b;
            case Number n -> n.doubleValue() == 0;
            case Duration d -> d.isZero();
            case Collection<?> c -> c.stream().allMatch(ConfigValues::isZero);
            case Map<?, ?> m -> m.values().stream().allMatch(ConfigValues::isZero);
            default -> false;
        };
    }
}
