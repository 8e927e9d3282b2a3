package io.switchyard.agent.decode;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.switchyard.agent.decode.JsonTrees.fixture;
import static io.switchyard.agent.decode.JsonTrees.object;
import static io.switchyard.agent.decode.JsonTrees.reader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The recorded objects of a newer API server ({@code src/test/resources/decode}): client-java's
 * own decoding rejects them, ours gives exactly the fields the proxy uses.
 */
class ObjectFixturesTest {

    @Test
    void clientJavaRejectsEachFixture() {
        assertThatThrownBy(() -> JSON.deserialize(fixture("service.json"), V1Service.class))
                .hasMessageContaining("is not defined in the");
        assertThatThrownBy(() -> JSON.deserialize(fixture("endpointslice.json"), V1EndpointSlice.class))
                .hasMessageContaining("is not defined in the");
        assertThatThrownBy(() -> JSON.deserialize(fixture("node.json"), V1Node.class))
                .hasMessageContaining("is not defined in the");
    }

    @Test
    void serviceFixtureGivesEveryUsedFieldAndNothingElse() throws IOException {
        V1Service service = decode(ResourceDecoder.SERVICES, "service.json");

        assertThat(service).isEqualTo(FullObjects.service());
        assertThat(service.getMetadata().getUid()).isNull();
        assertThat(service.getMetadata().getAnnotations()).isEmpty();
        assertThat(service.getMetadata().getManagedFields()).isEmpty();
        assertThat(service.getSpec().getSelector()).isEmpty();
        assertThat(service.getSpec().getPorts().getFirst().getTargetPort()).isNull();
        assertThat(service.getStatus().getConditions()).isEmpty();
    }

    @Test
    void endpointSliceFixtureGivesEveryUsedFieldAndNothingElse() throws IOException {
        V1EndpointSlice slice = decode(ResourceDecoder.ENDPOINT_SLICES, "endpointslice.json");

        assertThat(slice).isEqualTo(FullObjects.slice());
        assertThat(slice.getMetadata().getAnnotations()).containsOnlyKeys(FullObjects.TRIGGER);
        assertThat(slice.getMetadata().getOwnerReferences()).isEmpty();
        assertThat(slice.getEndpoints().getFirst().getTargetRef()).isNull();
        assertThat(slice.getEndpoints().get(1).getDeprecatedTopology()).isEmpty();
    }

    @Test
    void nodeFixtureGivesEveryUsedFieldAndNothingElse() throws IOException {
        V1Node node = decode(ResourceDecoder.NODES, "node.json");

        assertThat(node).isEqualTo(FullObjects.node());
        assertThat(node.getStatus().getCapacity()).isEmpty();
        assertThat(node.getStatus().getNodeInfo()).isNull();
        assertThat(node.getSpec().getUnschedulable()).isNull();
        assertThat(node.getMetadata().getFinalizers()).isEmpty();
    }

    @Test
    void fixturesAreRejectedForTheirFutureFieldsOnly() {
        // Without the future fields client-java reads them: the fixtures are otherwise what a server sends.
        for (String name : new String[] {"service.json", "endpointslice.json", "node.json"}) {
            String json = withoutFutureFields(fixture(name));
            Class<? extends KubernetesObject> type = name.startsWith("service") ? V1Service.class
                    : name.startsWith("endpoint") ? V1EndpointSlice.class : V1Node.class;
            try {
                assertThat((Object) JSON.deserialize(json, type)).as(name).isNotNull();
            } catch (JsonParseException | IllegalArgumentException e) {
                throw new AssertionError(name + " without future fields: " + e.getMessage(), e);
            }
        }
    }

    private static <T extends KubernetesObject> T decode(ResourceDecoder<T, ?> decoder, String name) throws IOException {
        return decoder.objects().read(reader(object(fixture(name))));
    }

    private static String withoutFutureFields(String json) {
        JsonElement tree = JsonParser.parseString(json);
        strip(tree);
        return tree.toString();
    }

    private static void strip(JsonElement element) {
        if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(ObjectFixturesTest::strip);
        } else if (element.isJsonObject()) {
            element.getAsJsonObject().keySet().removeIf(k -> k.startsWith("future"));
            element.getAsJsonObject().entrySet().forEach(e -> strip(e.getValue()));
        }
    }
}
