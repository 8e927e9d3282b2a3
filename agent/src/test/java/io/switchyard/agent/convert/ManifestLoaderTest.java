package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.source.ManifestLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** ManifestLoader: files, directories, multi-document and List manifests, and unreadable input. */
class ManifestLoaderTest {

    @TempDir
    Path dir;

    private static String service(String namespace, String name, String clusterIp, String port) {
        return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  clusterIP: %s
                  ports:
                  - name: http
                    port: %s
                """.formatted(name, namespace, clusterIp, port);
    }

    private static final String SLICE = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: demo
              labels:
                kubernetes.io/service-name: web
            addressType: IPv4
            ports:
            - name: http
              port: 8080
              protocol: TCP
            endpoints:
            - addresses: [10.244.1.11]
              nodeName: node-a
            """;

    private static final String NODE = """
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
            spec:
              podCIDRs: [10.244.1.0/24]
            """;

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: demo
            spec:
              replicas: 3
            """;

    private Path write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private static String name(V1Service service) {
        return service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
    }

    @Test
    void loadsASingleYamlFile() throws IOException {
        Path file = write("web.yaml", service("demo", "web", "10.96.0.10", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).singleElement().satisfies(s -> {
            assertThat(name(s)).isEqualTo("demo/web");
            assertThat(s.getSpec().getClusterIP()).isEqualTo("10.96.0.10");
            assertThat(s.getSpec().getPorts().getFirst().getPort()).isEqualTo(80);
        });
    }

    @Test
    void loadsMultiDocumentFilesWithEveryKind() throws IOException {
        Path file = write("all.yaml", service("demo", "web", "10.96.0.10", "80") + "---\n" + SLICE + "---\n" + NODE);

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).hasSize(1);
        assertThat(result.objects().endpointSlices()).singleElement().satisfies(s -> {
            assertThat(s.getAddressType()).isEqualTo("IPv4");
            assertThat(s.getEndpoints().getFirst().getAddresses()).containsExactly("10.244.1.11");
        });
        assertThat(result.objects().nodes()).singleElement()
                .satisfies(n -> assertThat(n.getSpec().getPodCIDRs()).containsExactly("10.244.1.0/24"));
    }

    @Test
    void loadsTheItemsOfAList() throws IOException {
        String list = """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: a, namespace: demo}
                  spec:
                    clusterIP: 10.96.0.1
                    ports: [{name: http, port: 80}]
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata:
                    name: a-1
                    namespace: demo
                    labels: {kubernetes.io/service-name: a}
                  addressType: IPv4
                  endpoints: [{addresses: [10.244.1.11]}]
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: a, namespace: demo}
                """;

        ManifestLoader.Result result = ManifestLoader.load(write("list.yaml", list));

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/a");
        assertThat(result.objects().endpointSlices()).hasSize(1);
    }

    @Test
    void loadsADirectoryRecursivelyInSortedOrder() throws IOException {
        write("b.yaml", service("demo", "b", "10.96.0.2", "80"));
        write("a.yml", service("demo", "a", "10.96.0.1", "80"));
        write("sub/c.json", """
                {"apiVersion": "v1", "kind": "Service",
                 "metadata": {"name": "c", "namespace": "demo"},
                 "spec": {"clusterIP": "10.96.0.3", "ports": [{"name": "http", "port": 80}]}}
                """);
        write("notes.txt", service("demo", "txt", "10.96.0.4", "80"));
        write(".hidden.yaml", service("demo", "hidden", "10.96.0.5", "80"));

        ManifestLoader.Result result = ManifestLoader.load(dir);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name)
                .containsExactly("demo/a", "demo/b", "demo/c");
    }

    @Test
    void otherKindsAreSilentlyIgnored() throws IOException {
        Path file = write("mixed.yaml", DEPLOYMENT + "---\n" + service("demo", "web", "10.96.0.10", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).hasSize(1);
        assertThat(result.objects().endpointSlices()).isEmpty();
        assertThat(result.objects().nodes()).isEmpty();
    }

    @Test
    void anUnparsableFileIsAProblemNamingItWhileOtherFilesStillLoad() throws IOException {
        Path broken = write("broken.yaml", "kind: Service\nmetadata: {name: [unclosed\n");
        write("good.yaml", service("demo", "web", "10.96.0.10", "80"));

        ManifestLoader.Result result = ManifestLoader.load(dir);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/web");
        assertThat(result.problems()).singleElement()
                .satisfies(p -> assertThat(p.object()).contains(broken.toString()));
    }

    @Test
    void anObjectThatCannotBeReadAsItsTypeIsAProblemNamingIt() throws IOException {
        Path file = write("svc.yaml", service("demo", "bad", "10.96.0.20", "abc")
                + "---\n" + service("demo", "good", "10.96.0.21", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/good");
        assertThat(result.problems()).singleElement().satisfies(p -> {
            assertThat(p.toString()).contains("Service demo/bad");
            assertThat(p.toString()).contains(file.toString());
        });
    }

    @Test
    void aMissingPathIsAProblemAndSaysItIsMissing() throws IOException {
        Path missing = dir.resolve("nope.yaml");

        ManifestLoader.Result result = ManifestLoader.load(missing);

        assertThat(result.missing()).isTrue();
        assertThat(result.objects().services()).isEmpty();
        assertThat(result.problems()).singleElement()
                .satisfies(p -> assertThat(p.toString()).isEqualTo(missing + ": no such file or directory"));
        // Present inputs are not missing, even when they hold nothing usable.
        assertThat(ManifestLoader.load(dir).missing()).isFalse();
        assertThat(ManifestLoader.load(write("empty.yaml", "")).missing()).isFalse();
        assertThat(ManifestLoader.load(write("broken.yaml", "a: [")).missing()).isFalse();
    }

    @Test
    void aPortGivenAsAWordIsOneLineNamingTheFileTheObjectAndTheField() throws IOException {
        Path file = write("svc.yaml", service("demo", "bad", "10.96.0.20", "eighty")
                + "---\n" + service("demo", "good", "10.96.0.21", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/good");
        assertThat(result.problems()).extracting(Problem::toString).containsExactly("Service demo/bad in " + file
                + ": spec.ports[0].port: expected an integer, found the string \"eighty\"; skipped");
        assertNoJavaInternals(result);
    }

    @Test
    void aMappingWhereAListBelongsIsOneLineNamingTheField() throws IOException {
        Path file = write("svc.yaml", """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: demo}
                spec:
                  clusterIP: 10.96.0.10
                  ports:
                    name: http
                    port: 80
                """ + "---\n" + service("demo", "good", "10.96.0.21", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/good");
        assertThat(result.problems()).extracting(Problem::toString).containsExactly("Service demo/web in " + file
                + ": spec.ports: expected a list, found an object; skipped");
        assertNoJavaInternals(result);
    }

    @Test
    void aFileThatIsNotUtf8IsOneLineAndTheOtherFilesStillLoad() throws IOException {
        byte[] latin1 = "apiVersion: v1\nkind: Service\nmetadata:\n  name: caf\u00e9\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        Path bad = dir.resolve("latin1.yaml");
        Files.write(bad, latin1);
        write("good.yaml", service("demo", "web", "10.96.0.10", "80"));

        ManifestLoader.Result result = ManifestLoader.load(dir);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/web");
        assertThat(result.problems()).extracting(Problem::toString).containsExactly(bad
                + ": not UTF-8 text: byte 0xE9 at offset 50 (line 4) is not valid UTF-8; skipped");
        assertNoJavaInternals(result);
    }

    @Test
    void onlyV1ServicesAndNodesAndDiscoveryV1EndpointSlicesAreRead() throws IOException {
        Path file = write("versions.yaml", service("demo", "future", "10.96.0.20", "80").replace("v1", "v2beta9")
                + "---\n" + SLICE.replace("discovery.k8s.io/v1", "discovery.k8s.io/v1beta1")
                + "---\n" + NODE.replace("apiVersion: v1", "apiVersion: v2")
                + "---\n" + service("demo", "unversioned", "10.96.0.22", "80").replace("apiVersion: v1\n", "")
                + "---\n" + service("demo", "good", "10.96.0.21", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/good");
        assertThat(result.objects().endpointSlices()).isEmpty();
        assertThat(result.objects().nodes()).isEmpty();
        assertThat(result.problems()).extracting(Problem::toString).containsExactly(
                "Service demo/future in " + file + ": apiVersion \"v2beta9\" is not supported: only v1 Services are read; skipped",
                "EndpointSlice demo/web-abc in " + file + ": apiVersion \"discovery.k8s.io/v1beta1\" is not supported: "
                        + "only discovery.k8s.io/v1 EndpointSlices are read; skipped",
                "Node node-a in " + file + ": apiVersion \"v2\" is not supported: only v1 Nodes are read; skipped",
                "Service demo/unversioned in " + file + ": apiVersion is missing: only v1 Services are read; skipped");
    }

    @Test
    void aFileOverTheSizeLimitIsOneLine() throws IOException {
        Path file = write("big.yaml", service("demo", "web", "10.96.0.10", "80") + "#" + "x".repeat(3000) + "\n");

        ManifestLoader.Result result = ManifestLoader.load(file, 2048);

        assertThat(result.objects().services()).isEmpty();
        assertThat(result.problems()).extracting(Problem::toString).singleElement().asString()
                .startsWith(file + ": the file is 3.").endsWith(" KiB, more than the 2.0 KiB a manifest may be; skipped");
        assertThat(ManifestLoader.load(file).problems()).isEmpty();
    }

    @Test
    void aLargeDoubleQuotedScalarLoadsInLinearTimeAndSpace() throws IOException {
        loadWithBigLabel(1 << 10); // warm-up: classes loaded, code compiled
        long small = loadWithBigLabel(1 << 20);
        long large = loadWithBigLabel(8 << 20);

        // Linear: 8 times the text, about 8 times the allocation. snakeyaml's own reader copies its
        // look-ahead window every 1024 characters: 64 times, and over 100 GB for the large one.
        assertThat((double) large / small).as("allocation for 8 MiB / for 1 MiB (%d / %d bytes)", large, small)
                .isLessThan(16);
        assertThat(large).as("bytes allocated to load an 8 MiB scalar").isLessThan(40L * (8 << 20));
    }

    /**
     * Loads a Service with a double-quoted label of about {@code length} characters in one run
     * (an escape or quote would end snakeyaml's look-ahead); returns the bytes this thread allocated.
     */
    private long loadWithBigLabel(int length) throws IOException {
        Path file = write("big-" + length + ".yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  namespace: demo
                  labels:
                    big: "%s"
                spec:
                  clusterIP: 10.96.0.10
                """.formatted("\\\"" + "abcdefgh".repeat(length / 8)));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ManifestLoader.Result result = ManifestLoader.load(file);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services().getFirst().getMetadata().getLabels().get("big"))
                .hasSize(length / 8 * 8 + 1).startsWith("\"abc");
        return allocated;
    }

    @Test
    void fieldsFromANewerApiVersionAreIgnored() throws IOException {
        Path file = write("future.yaml", """
                apiVersion: v1
                kind: Service
                futureTopLevel: {a: [1, 2]}
                metadata:
                  name: web
                  namespace: demo
                  futureMetadata: true
                spec:
                  clusterIP: 10.96.0.10
                  futureSpec: [{x: 1}]
                  ports:
                  - name: http
                    port: 80
                    futurePort: "x"
                status:
                  futureStatus: 3
                """);

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).singleElement()
                .satisfies(s -> assertThat(s.getSpec().getPorts().getFirst().getPort()).isEqualTo(80));
    }

    @Test
    void aBadItemOfAListIsSkippedAndTheOtherItemsLoad() throws IOException {
        Path file = write("list.yaml", """
                apiVersion: v1
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: a, namespace: demo}
                  spec: {clusterIP: 10.96.0.1, ports: [{name: http, port: 80}]}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: b, namespace: demo}
                  spec: {clusterIP: [10.96.0.2], ports: [{name: http, port: 80}]}
                - just a string
                - apiVersion: v1
                  kind: Service
                  metadata: {name: c, namespace: demo}
                  spec: {clusterIP: 10.96.0.3, ports: [{name: http, port: 80}]}
                kind: List
                metadata: {}
                """);

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/a", "demo/c");
        assertThat(result.problems()).extracting(Problem::toString).containsExactly(
                "Service demo/b in " + file + ": spec.clusterIP: expected a string, found a list; skipped",
                file + " (document 1, item 3): not a Kubernetes object; skipped");
    }

    @Test
    void aJsonListLoadsItemByItemAsYamlWould() throws IOException {
        Path json = write("list.json", """
                {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                 "items": [
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "demo"},
                   "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "http", "port": 80}]}},
                  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b", "namespace": "demo"},
                   "spec": {"clusterIP": "10.96.0.2", "ports": [{"name": "http", "port": "eighty"}]}},
                  {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": {"name": "a-1", "namespace": "demo", "labels": {"kubernetes.io/service-name": "a"}},
                   "addressType": "IPv4", "endpoints": [{"addresses": ["10.244.1.11"]}]}
                 ]}
                """);
        Path yaml = write("list.yaml", "# the same, as YAML\n" + Files.readString(json));

        ManifestLoader.Result fromJson = ManifestLoader.load(json);
        ManifestLoader.Result fromYaml = ManifestLoader.load(yaml);

        assertThat(fromJson.objects()).isEqualTo(fromYaml.objects());
        assertThat(fromJson.objects().services()).extracting(ManifestLoaderTest::name).containsExactly("demo/a");
        assertThat(fromJson.objects().endpointSlices()).hasSize(1);
        assertThat(fromJson.problems()).extracting(Problem::toString).containsExactly("Service demo/b in " + json
                + ": spec.ports[0].port: expected an integer, found the string \"eighty\"; skipped");
    }

    @Test
    void jsonThatIsNotValidIsReportedAsTheYamlReaderSeesIt() throws IOException {
        Path file = write("broken.json", "{\"kind\": \"Service\", \"metadata\": {\"name\": \"web\"}\n");

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).extracting(Problem::toString).singleElement().asString()
                .isEqualTo(file + ": not valid YAML: line 2, column 1: expected ',' or '}', but got <stream end>; skipped");
        assertNoJavaInternals(result);
    }

    @Test
    void documentsThatAreNotObjectsAreOneLineEach() throws IOException {
        Path file = write("odd.yaml", "just text\n---\n- a\n---\nkind: [Service]\nmetadata: {name: x}\n---\n"
                + service("demo", "web", "10.96.0.10", "80"));

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.objects().services()).hasSize(1);
        assertThat(result.problems()).extracting(Problem::toString).containsExactly(
                file + " (document 1): not a Kubernetes object; skipped",
                file + " (document 2): not a Kubernetes object; skipped",
                "null x in " + file + ": kind: expected a string, found a list; skipped");
        assertNoJavaInternals(result);
    }

    @Test
    void anUnnamedObjectIsNamedByItsPlaceInTheFile() throws IOException {
        Path file = write("unnamed.yaml", service("demo", "a", "10.96.0.1", "80") + "---\n"
                + "apiVersion: v1\nkind: Service\nspec: {ports: 5}\n");

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).extracting(Problem::toString).containsExactly("Service (unnamed, document 2) in "
                + file + ": spec.ports: expected a list, found the number 5; skipped");
    }

    @Test
    void syntaxErrorsSayWhereWithoutJavaInternals() throws IOException {
        Path file = write("broken.yaml", "kind: Service\nmetadata:\n  name: web\n\tnamespace: demo\n");

        ManifestLoader.Result result = ManifestLoader.load(file);

        assertThat(result.problems()).extracting(Problem::toString).singleElement().asString()
                .startsWith(file + ": not valid YAML: line 4, column 1: ").endsWith("; skipped");
        assertNoJavaInternals(result);
    }

    /** Messages are for people: no exception names, no class names, no stack traces. */
    private static void assertNoJavaInternals(ManifestLoader.Result result) {
        assertThat(result.problems()).isNotEmpty().allSatisfy(p -> assertThat(p.toString())
                .doesNotContain("Exception", "java.", "com.google", "class ", "\n\tat "));
    }

    @Test
    void loadsTheBundledExamplesWithoutProblems() {
        Path examples = Path.of("..", "examples");

        ManifestLoader.Result result = ManifestLoader.load(examples);

        assertThat(result.problems()).isEmpty();
        assertThat(result.objects().services()).extracting(ManifestLoaderTest::name)
                .containsExactlyInAnyOrder("demo/api", "kube-system/dns", "default/kubernetes", "demo/db",
                        "demo/docs", "demo/web");
        assertThat(result.objects().endpointSlices()).hasSize(3);
        assertThat(result.objects().nodes()).hasSize(1);
    }
}
