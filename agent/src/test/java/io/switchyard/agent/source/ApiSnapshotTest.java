package io.switchyard.agent.source;

import io.switchyard.agent.bench.SimulatedApiServer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.util.ClientBuilder;
import io.switchyard.agent.convert.Problem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link ApiSnapshot} over real HTTP: a newer server's objects, kube-proxy's selectors, one bad object. */
class ApiSnapshotTest {

    private SimulatedApiServer server;
    private final List<Problem> problems = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        server = new SimulatedApiServer();
        server.answerAsANewerVersion();
    }

    @AfterEach
    void tearDown() {
        server.stop();
    }

    @Test
    void listsWhatTheProxyWatchesAndReportsWhatCannotBeRead() {
        JsonObject service = fixture("service.json");
        server.upsertJson(service);
        JsonObject bad = service.deepCopy();
        bad.getAsJsonObject("metadata").addProperty("name", "bad");
        bad.getAsJsonObject("spec").addProperty("clusterIP", 10);
        server.upsertJson(bad);
        JsonObject theirs = service.deepCopy();
        theirs.getAsJsonObject("metadata").addProperty("name", "theirs");
        theirs.getAsJsonObject("metadata").getAsJsonObject("labels")
                .addProperty(ProxySelection.SERVICE_PROXY_NAME_LABEL, "other");
        server.upsertJson(theirs);
        server.upsertJson(fixture("endpointslice.json"));
        server.upsertJson(fixture("node.json"));
        JsonObject otherNode = fixture("node.json");
        otherNode.getAsJsonObject("metadata").addProperty("name", "node-b");
        server.upsertJson(otherNode);

        ClusterObjects objects = ApiSnapshot.list(new ClientBuilder().setBasePath(server.url()).build(),
                new ProxySelection(""), "node-a", problems::add);

        assertThat(objects.services()).extracting(s -> s.getMetadata().getName()).containsExactly("web");
        assertThat(objects.services().getFirst().getSpec().getPorts()).hasSize(2);
        assertThat(objects.endpointSlices()).extracting(s -> s.getMetadata().getName()).containsExactly("web-x7k2p");
        assertThat(objects.nodes()).extracting(n -> n.getMetadata().getName()).containsExactly("node-a");
        assertThat(problems).extracting(Problem::toString).containsExactly("Service demo/bad from the API server: "
                + "spec.clusterIP: expected a string, found the number 10; skipped");
    }

    @Test
    void anUnreachableServerIsOneMessage() {
        String url = server.url();
        server.stop();

        assertThatThrownBy(() -> ApiSnapshot.list(new ClientBuilder().setBasePath(url).build(),
                new ProxySelection(""), "node-a", problems::add))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("listing from the API server failed: Failed to connect to ")
                .hasMessageNotContaining("Exception").hasMessageNotContaining("java.");
    }

    private static JsonObject fixture(String name) {
        try (InputStream in = ApiSnapshotTest.class.getResourceAsStream("/decode/" + name)) {
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
