package io.switchyard.agent.convert;

import io.kubernetes.client.openapi.models.V1Service;
import io.switchyard.agent.source.ManifestLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
    void aMissingPathIsAProblem() {
        Path missing = dir.resolve("nope.yaml");

        ManifestLoader.Result result = ManifestLoader.load(missing);

        assertThat(result.objects().services()).isEmpty();
        assertThat(result.problems()).singleElement()
                .satisfies(p -> assertThat(p.object()).isEqualTo(missing.toString()));
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
