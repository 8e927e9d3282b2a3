package io.switchyard.agent.source;

import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import com.google.gson.Gson;
import io.kubernetes.client.openapi.JSON;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import io.switchyard.agent.convert.Problem;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads Services, EndpointSlices and Nodes from manifests on disk: one YAML or JSON file, or a
 * directory of them, multi-document and {@code kind: List} included, as {@code kubectl get -o yaml}
 * writes them. Objects of other kinds are skipped; a file or object that cannot be read is
 * reported as a {@link Problem} and the rest are still loaded. YAML is read with snakeyaml
 * (timestamps kept as strings) and each object is bound by client-java's own JSON mapping,
 * the one its informers use, so a manifest means exactly what the API server would send.
 */
public final class ManifestLoader {

    /** What was read, and what could not be. */
    public record Result(ClusterObjects objects, List<Problem> problems) {
    }

    private ManifestLoader() {
    }

    /** Loads a file, or every {@code .yaml}, {@code .yml} and {@code .json} file under a directory. */
    public static Result load(Path path) {
        List<Problem> problems = new ArrayList<>();
        Collector collector = new Collector(problems);
        if (Files.isDirectory(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                files.filter(Files::isRegularFile).filter(ManifestLoader::isManifest).sorted()
                        .forEach(collector::readFile);
            } catch (IOException e) {
                problems.add(new Problem(path.toString(), "cannot list directory: " + e.getMessage()));
            }
        } else if (Files.isRegularFile(path)) {
            collector.readFile(path);
        } else {
            problems.add(new Problem(path.toString(), "no such file or directory"));
        }
        return new Result(new ClusterObjects(collector.services, collector.slices, collector.nodes), problems);
    }

    private static boolean isManifest(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    private static final class Collector {
        final List<V1Service> services = new ArrayList<>();
        final List<V1EndpointSlice> slices = new ArrayList<>();
        final List<V1Node> nodes = new ArrayList<>();
        final List<Problem> problems;

        Collector(List<Problem> problems) {
            this.problems = problems;
        }

        void readFile(Path file) {
            List<Object> documents = new ArrayList<>();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                for (Object document : yaml().loadAll(reader)) {
                    documents.add(document);
                }
            } catch (IOException | RuntimeException e) {
                problems.add(new Problem(file.toString(), "cannot parse YAML: " + firstLine(e.getMessage())));
                return;
            }
            for (Object document : documents) {
                readDocument(file, document);
            }
        }

        private void readDocument(Path file, Object document) {
            if (document == null) {
                return;
            }
            if (!(document instanceof Map<?, ?> map)) {
                problems.add(new Problem(file.toString(), "document is not a Kubernetes object"));
                return;
            }
            Object kind = map.get("kind");
            if ("List".equals(kind) || (kind instanceof String k && k.endsWith("List") && map.get("items") instanceof List<?>)) {
                if (map.get("items") instanceof List<?> items) {
                    items.forEach(item -> readDocument(file, item));
                }
                return;
            }
            switch (String.valueOf(kind)) {
                case "Service" -> convert(file, map, V1Service.class, services);
                case "EndpointSlice" -> convert(file, map, V1EndpointSlice.class, slices);
                case "Node" -> convert(file, map, V1Node.class, nodes);
                default -> {
                    // Other kinds (Deployments, ConfigMaps, ...) are not the proxy's business.
                }
            }
        }

        private <T> void convert(Path file, Map<?, ?> map, Class<T> type, List<T> into) {
            try {
                Gson gson = JSON.getGson();
                T object = gson.fromJson(gson.toJsonTree(map), type);
                if (object == null) {
                    throw new IllegalArgumentException("empty object");
                }
                into.add(object);
            } catch (RuntimeException e) {
                problems.add(new Problem(describe(map) + " in " + file,
                        "cannot read as " + type.getSimpleName() + ": " + firstLine(e.getMessage())));
            }
        }
    }

    /** A YAML reader that keeps timestamps as the strings the API types expect. */
    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(Integer.MAX_VALUE);
        Resolver resolver = new Resolver() {
            @Override
            protected void addImplicitResolvers() {
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.BOOL, BOOL, "yYnNtTfFoO");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.INT, INT, "-+0123456789");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.FLOAT, FLOAT, "-+0123456789.");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.MERGE, MERGE, "<");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, NULL, "~nN\0");
                addImplicitResolver(org.yaml.snakeyaml.nodes.Tag.NULL, EMPTY, null);
            }
        };
        return new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options, resolver);
    }

    private static String describe(Map<?, ?> map) {
        String kind = String.valueOf(map.get("kind"));
        if (map.get("metadata") instanceof Map<?, ?> metadata) {
            Object namespace = metadata.get("namespace");
            Object name = metadata.get("name");
            return kind + " " + (namespace == null ? "" : namespace + "/") + name;
        }
        return kind + " (no metadata)";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
