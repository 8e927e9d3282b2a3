package io.switchyard.agent.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict parser of the Prometheus text format (0.0.4) for tests: every line must be a HELP,
 * a TYPE or a sample of the family its TYPE opened, with the suffixes its type allows.
 */
final class Exposition {

    record Sample(String name, Map<String, String> labels, String value) {
        double number() {
            return switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            };
        }
    }

    record Family(String name, String type, String help, List<Sample> samples) {
        /** The samples with exactly this name. */
        List<Sample> named(String sampleName) {
            return samples.stream().filter(s -> s.name().equals(sampleName)).toList();
        }

        /** The one sample with this name and these labels. */
        Sample sample(String sampleName, Map<String, String> labels) {
            List<Sample> found = samples.stream()
                    .filter(s -> s.name().equals(sampleName) && s.labels().equals(labels)).toList();
            if (found.size() != 1) {
                throw new AssertionError(found.size() + " samples " + sampleName + labels + " in " + name);
            }
            return found.getFirst();
        }
    }

    private Exposition() {
    }

    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Family current = null;
        int lineNumber = 0;
        for (String line : text.split("\n", -1)) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            String where = "line " + lineNumber + ": " + line;
            if (line.startsWith("# HELP ")) {
                String rest = line.substring("# HELP ".length());
                int space = rest.indexOf(' ');
                require(space > 0, where);
                helps.put(rest.substring(0, space), rest.substring(space + 1));
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring("# TYPE ".length()).split(" ");
                require(parts.length == 2, where);
                require(Set.of("counter", "gauge", "histogram", "summary", "untyped").contains(parts[1]), where);
                require(!families.containsKey(parts[0]), "family declared twice, " + where);
                current = new Family(parts[0], parts[1], helps.get(parts[0]), new ArrayList<>());
                families.put(parts[0], current);
            } else {
                require(!line.startsWith("#"), where);
                require(current != null, "sample before any TYPE, " + where);
                Sample sample = sample(line, where);
                require(allowed(current, sample.name()), "sample outside its family " + current.name() + ", " + where);
                current.samples().add(sample);
            }
        }
        return families;
    }

    private static boolean allowed(Family family, String sampleName) {
        List<String> suffixes = switch (family.type()) {
            case "histogram" -> List.of("_bucket", "_sum", "_count");
            case "summary" -> List.of("", "_sum", "_count");
            default -> List.of("");
        };
        return suffixes.stream().anyMatch(suffix -> sampleName.equals(family.name() + suffix));
    }

    private static Sample sample(String line, String where) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        Map<String, String> labels = new LinkedHashMap<>();
        String name;
        int valueStart;
        if (brace >= 0 && brace < space) {
            name = line.substring(0, brace);
            int i = brace + 1;
            while (line.charAt(i) != '}') {
                int equals = line.indexOf("=\"", i);
                require(equals > i, where);
                String label = line.substring(i, equals);
                StringBuilder value = new StringBuilder();
                int j = equals + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                    j++;
                }
                require(labels.put(label, value.toString()) == null, "label twice, " + where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            require(line.charAt(i + 1) == ' ', where);
            valueStart = i + 2;
        } else {
            name = line.substring(0, space);
            valueStart = space + 1;
        }
        String value = line.substring(valueStart);
        require(!value.contains(" "), "timestamps are not expected, " + where);
        require(name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*"), where);
        return new Sample(name, labels, value);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError("bad exposition: " + what);
        }
    }
}
