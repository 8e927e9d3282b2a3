package io.switchyard.agent.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A kube-proxy {@code KubeProxyConfiguration} file ({@code kubeproxy.config.k8s.io/v1alpha1}):
 * the settings it sets, typed, and the warnings reading it produced. Absent, null and zero-means-
 * unset values are simply not there. Like kube-proxy's lenient decoding, an unknown field is a
 * warning naming its path; a value of the wrong type is an error naming its path.
 *
 * @param source   how messages name the file ({@code config file PATH})
 * @param values   setting -> value (String, Boolean, Integer, Double, Duration, List of String, Map of gates)
 * @param warnings one line per field that was not understood or is not used
 */
public record KubeProxyConfiguration(String source, Map<Setting<?>, Object> values, List<String> warnings) {

    public static final String API_VERSION = "kubeproxy.config.k8s.io/v1alpha1";
    public static final String KIND = "KubeProxyConfiguration";

    private static final Map<String, Setting<?>> BY_PATH = KubeProxyFields.ALL.stream()
            .collect(Collectors.toUnmodifiableMap(Setting::path, Function.identity()));

    public KubeProxyConfiguration {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        warnings = List.copyOf(warnings);
    }

    /** An empty configuration: every setting comes from flags or defaults. */
    public static KubeProxyConfiguration empty() {
        return new KubeProxyConfiguration("no config file", Map.of(), List.of());
    }

    /** The value of a setting, or null when the file does not set it. */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    public boolean has(Setting<?> setting) {
        return values.containsKey(setting);
    }

    /** Reads a configuration file, failing with one clear message on anything it cannot use. */
    public static KubeProxyConfiguration load(Path file) {
        Object document;
        String where = "config file " + file;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + where + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new ConfigException(where + " is not valid YAML: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        return parse(where, document);
    }

    /** Reads an already-parsed YAML document; {@code where} names it in messages. */
    public static KubeProxyConfiguration parse(String where, Object document) {
        if (!(document instanceof Map<?, ?> root)) {
            throw new ConfigException(where + " does not hold a " + KIND);
        }
        if (!KIND.equals(root.get("kind"))) {
            throw new ConfigException(where + ": kind must be " + KIND + ", got " + root.get("kind"));
        }
        if (!API_VERSION.equals(root.get("apiVersion"))) {
            throw new ConfigException(where + ": apiVersion must be " + API_VERSION + ", got " + root.get("apiVersion"));
        }
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<?, ?> entry : root.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (KubeProxyFields.SECTIONS.contains(key)) {
                if (entry.getValue() == null) {
                    continue;
                }
                if (!(entry.getValue() instanceof Map<?, ?> section)) {
                    throw new ConfigException(where + ": " + key + " must be a mapping");
                }
                section.forEach((k, v) -> field(where, key + "." + k, v, values, warnings));
            } else {
                field(where, key, entry.getValue(), values, warnings);
            }
        }
        return new KubeProxyConfiguration(where, values, warnings);
    }

    private static void field(String where, String path, Object raw, Map<Setting<?>, Object> values,
                              List<String> warnings) {
        Setting<?> setting = BY_PATH.get(path);
        if (setting != null) {
            Object value = ConfigValues.read(where, setting, raw);
            if (value != null && !(setting.zeroIsUnset() && ConfigValues.isZero(value))) {
                values.put(setting, value);
            }
        } else if (KubeProxyFields.TOLERATED_TREES.contains(path)) {
            if (!ConfigValues.isZero(raw)) {
                warnings.add(where + ": " + path + " is accepted but not used by Switchyard");
            }
        } else if (!KubeProxyFields.TOLERATED.contains(path)) {
            warnings.add(where + ": unknown field \"" + path + "\" ignored");
        }
    }

    /** The file's settings as one flat, sorted map of path to value, for messages and tests. */
    public Map<String, Object> byPath() {
        Map<String, Object> out = new TreeMap<>();
        values.forEach((setting, value) -> out.put(setting.path(), value instanceof Duration d ? GoDuration.format(d) : value));
        return out;
    }
}
