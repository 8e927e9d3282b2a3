package io.switchyard.agent.decode;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1ServiceList;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static io.switchyard.agent.decode.JsonTrees.fixture;
import static io.switchyard.agent.decode.JsonTrees.json;
import static io.switchyard.agent.decode.JsonTrees.object;
import static io.switchyard.agent.decode.JsonTrees.reader;
import static io.switchyard.agent.decode.JsonTrees.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LIST responses: future fields in the list and its metadata, and one bad item among good ones. */
class ListAdapterTest {

    private final List<ObjectRejectedException> rejected = new ArrayList<>();

    /** A LIST response as a newer server sends it: future fields in the list, its metadata and its items. */
    private static JsonObject list(String kind, String apiVersion, JsonObject... items) {
        JsonArray array = new JsonArray();
        for (JsonObject item : items) {
            JsonObject copy = item.deepCopy();
            copy.remove("kind"); // items of a list carry no kind or apiVersion
            copy.remove("apiVersion");
            array.add(copy);
        }
        JsonObject list = object("""
                {"kind": "%s", "apiVersion": "%s",
                 "metadata": {"resourceVersion": "5000", "continue": "", "remainingItemCount": 0,
                              "futureListShard": {"index": 1, "of": [2]}},
                 "futureListSummary": [{"kind": "x"}, null, 3]}
                """.formatted(kind, apiVersion));
        list.add("items", array);
        return list;
    }

    @Test
    void clientJavaRejectsAListFromANewerServer() {
        JsonObject services = list("ServiceList", "v1", object(fixture("service.json")));

        assertThatThrownBy(() -> JSON.deserialize(services.toString(), V1ServiceList.class))
                .hasMessageContaining("is not defined in the");
    }

    @Test
    void listsFromANewerServerAreRead() throws IOException {
        V1ServiceList services = ResourceDecoder.SERVICES.lists(rejected::add)
                .read(reader(list("ServiceList", "v1", object(fixture("service.json")))));
        V1EndpointSliceList slices = ResourceDecoder.ENDPOINT_SLICES.lists(rejected::add)
                .read(reader(list("EndpointSliceList", "discovery.k8s.io/v1", object(fixture("endpointslice.json")))));
        V1NodeList nodes = ResourceDecoder.NODES.lists(rejected::add)
                .read(reader(list("NodeList", "v1", object(fixture("node.json")))));

        assertThat(rejected).isEmpty();
        assertThat(services.getMetadata().getResourceVersion()).isEqualTo("5000");
        assertThat(services.getKind()).isEqualTo("ServiceList");
        assertThat(services.getApiVersion()).isEqualTo("v1");
        assertThat(services.getItems()).containsExactly(FullObjects.service().kind(null).apiVersion(null));
        assertThat(slices.getItems()).containsExactly(FullObjects.slice().kind(null).apiVersion(null));
        assertThat(nodes.getItems()).containsExactly(FullObjects.node().kind(null).apiVersion(null));
    }

    @Test
    void oneBadItemIsSkippedAndTheOthersAreRead() throws IOException {
        JsonObject good = object(fixture("service.json"));
        JsonObject bad = with(with(good, "metadata.name", json("\"bad\"")), "spec.ports[0].port", json("\"eighty\""));
        JsonObject notAnObject = object("{\"x\": 1}");
        JsonObject list = list("ServiceList", "v1", with(good, "metadata.name", json("\"first\"")), bad,
                with(good, "metadata.name", json("\"last\"")));
        list.getAsJsonArray("items").add(notAnObject.get("x"));

        V1ServiceList services = ResourceDecoder.SERVICES.lists(rejected::add).read(reader(list));

        assertThat(services.getItems()).extracting(s -> s.getMetadata().getName()).containsExactly("first", "last");
        assertThat(rejected).extracting(ObjectRejectedException::getMessage).containsExactly(
                "Service demo/bad: spec.ports[0].port: expected an integer, found the string \"eighty\"",
                "Service at items[3]: expected an object, found the number 1");
    }

    @Test
    void nullItemsAndAnEmptyListAreNothing() throws IOException {
        JsonObject list = list("ServiceList", "v1");
        list.getAsJsonArray("items").add(json("null"));

        assertThat(ResourceDecoder.SERVICES.lists(rejected::add).read(reader(list)).getItems()).isEmpty();
        assertThat(rejected).isEmpty();
    }

    @Test
    void aListWhoseOwnFieldsAreUnusableFailsWhole() {
        JsonObject itemsNotAList = list("ServiceList", "v1");
        itemsNotAList.add("items", json("{\"a\": {}}"));
        JsonObject versionNotAString = with(list("ServiceList", "v1"), "metadata.resourceVersion", json("5000"));

        assertThatThrownBy(() -> ResourceDecoder.SERVICES.lists(rejected::add).read(reader(itemsNotAList)))
                .isInstanceOf(JsonParseException.class)
                .hasMessage("ServiceList: items: expected a list, found an object");
        assertThatThrownBy(() -> ResourceDecoder.SERVICES.lists(rejected::add).read(reader(versionNotAString)))
                .isInstanceOf(JsonParseException.class)
                .hasMessage("ServiceList: metadata.resourceVersion: expected a string, found the number 5000");
    }

    @Test
    void malformedJsonFailsTheList() {
        assertThatThrownBy(() -> ResourceDecoder.NODES.lists(rejected::add)
                .read(new JsonReader(new StringReader("{\"items\": [{\"metadata\": "))))
                .isInstanceOf(IOException.class);
    }
}
