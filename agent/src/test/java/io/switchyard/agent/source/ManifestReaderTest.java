package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.switchyard.agent.source.Manifests.service;
import static io.switchyard.agent.source.Manifests.slice;
import static org.assertj.core.api.Assertions.assertThat;

/** ManifestReader: an edit decodes only the documents that changed, and means what a whole decode would. */
class ManifestReaderTest {

    private static final Path FILE = Path.of("/manifests/cluster.yaml");

    private final ManifestReader reader = new ManifestReader();

    private static String services(int count, int editedPort) {
        StringBuilder text = new StringBuilder("# generated\n");
        for (int i = 0; i < count; i++) {
            text.append(service("demo", "svc-" + i, "10.96.0." + (i + 10), i == 7 ? editedPort : 80))
                    .append(slice("demo", "svc-" + i, "10.244.1." + (i + 10)));
        }
        return text.toString();
    }

    private ManifestReader.Outcome.Read read(String text, ManifestReader.Documents previous) {
        return (ManifestReader.Outcome.Read) reader.read(FILE, bytes(text), previous);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<KubernetesObject> whole(String text) {
        byte[] bytes = bytes(text);
        return ((ManifestLoader.Decoded.Read) ManifestLoader.decode(FILE, bytes, 0, bytes.length)).objects();
    }

    @Test
    void anEditOfOneObjectDecodesOnlyItsDocument() {
        ManifestReader.Outcome.Read first = read(services(50, 80), ManifestReader.Documents.NONE);
        assertThat(first.decoded()).isEqualTo(101); // the comment, then 100 documents

        String edited = services(50, 81);
        ManifestReader.Outcome.Read second = read(edited, first.documents());

        assertThat(second.decoded()).isEqualTo(1);
        assertThat(second.objects()).isEqualTo(whole(edited));
        assertThat(second.problems()).isEmpty();
        assertThat(read(edited, second.documents()).decoded()).as("the same content again").isZero();
    }

    @Test
    void documentsCutAtTheirMarkersMeanWhatTheWholeFileMeans() {
        String text = "\uFEFF# a comment first\n" + service("demo", "a", "10.96.0.10", 80)
                + "--- # a marker with a comment\n" + service("demo", "b", "10.96.0.11", 80).substring(4)
                + "---\n---\n"
                + "--- {apiVersion: v1, kind: Service, metadata: {name: c, namespace: demo}, spec: {clusterIP: 10.96.0.12}}\n"
                + """
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                ---
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: d, namespace: demo}
                  spec:
                    clusterIP: 10.96.0.13
                    description: |
                      a block scalar
                      ---not a marker, as it is indented
                """ + slice("demo", "a", "10.244.1.1");

        ManifestReader.Outcome.Read read = read(text, ManifestReader.Documents.NONE);

        assertThat(read.decoded()).isEqualTo(8);
        assertThat(read.objects()).hasSize(5).isEqualTo(whole(text));
    }

    @Test
    void aDocumentWithAProblemIsReportedAsTheWholeFileWouldReportIt() {
        ManifestReader.Outcome.Read first = read(services(10, 80), ManifestReader.Documents.NONE);
        String broken = services(10, 80).replace("\n  name: svc-7\n", "\n  name: svc-7\n  labels: [not, a, map]\n");

        ManifestReader.Outcome.Read second = read(broken, first.documents());

        byte[] bytes = bytes(broken);
        ManifestLoader.Decoded.Read whole = (ManifestLoader.Decoded.Read) ManifestLoader.decode(FILE, bytes, 0,
                bytes.length);
        assertThat(second.decoded()).isEqualTo(-1);
        assertThat(second.problems()).isEqualTo(whole.problems()).singleElement().asString()
                .startsWith("Service demo/svc-7 in " + FILE + ": metadata.labels: ");
        assertThat(second.rejected()).singleElement().extracting(ManifestLoader.Rejected::key)
                .isEqualTo(new ObjectKey("Service", "demo", "svc-7"));
        assertThat(second.objects()).isEqualTo(whole.objects());
        assertThat(read(services(10, 80), second.documents()).decoded())
                .as("the documents that were fine are still known").isEqualTo(1);
    }

    @Test
    void aSyntaxErrorInOneDocumentMakesTheFileUnreadable() {
        ManifestReader.Outcome.Read first = read(services(10, 80), ManifestReader.Documents.NONE);

        String broken = services(10, 80) + "---\nspec: [\n";
        ManifestReader.Outcome outcome = reader.read(FILE, bytes(broken), first.documents());

        byte[] bytes = bytes(broken);
        ManifestLoader.Decoded whole = ManifestLoader.decode(FILE, bytes, 0, bytes.length);
        assertThat(whole).isInstanceOf(ManifestLoader.Decoded.Unreadable.class);
        assertThat(outcome).as("where the whole file says it is wrong").isInstanceOfSatisfying(
                ManifestReader.Outcome.Unreadable.class, u -> assertThat(u.reason())
                        .isEqualTo(((ManifestLoader.Decoded.Unreadable) whole).reason())
                        .startsWith("not valid YAML: line " + (broken.lines().count() + 1) + ", column 1: "));
    }

    @Test
    void jsonAndYamlWithDirectivesOrEndMarkersAreDecodedWhole() {
        assertThat(ManifestReader.documentStarts(bytes("{\"kind\": \"List\", \"items\": []}"))).isNull();
        assertThat(ManifestReader.documentStarts(bytes("  [1, 2]"))).isNull();
        assertThat(ManifestReader.documentStarts(bytes("%YAML 1.1\n---\na: 1\n"))).isNull();
        assertThat(ManifestReader.documentStarts(bytes("a: 1\n...\n---\nb: 2\n"))).isNull();
        assertThat(ManifestReader.documentStarts(bytes("a: 1\n---\nb: 2\n----\n--- c\n---\td\n---"))).containsExactly(0, 5, 19, 25, 31);
    }
}
