package io.switchyard.agent.decode;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.Watch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static io.switchyard.agent.decode.JsonTrees.fixture;
import static io.switchyard.agent.decode.JsonTrees.json;
import static io.switchyard.agent.decode.JsonTrees.object;
import static io.switchyard.agent.decode.JsonTrees.reader;
import static io.switchyard.agent.decode.JsonTrees.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Watch events from a newer server: every type, future fields in the envelope and the object. */
class WatchEventAdapterTest {

    private static JsonObject event(String type, JsonObject object) {
        JsonObject event = object("{\"futureEventSequence\": 12, \"futureEventTrace\": {\"id\": [\"a\"]}}");
        event.addProperty("type", type);
        event.add("object", object);
        event.add("futureEventCause", json("null"));
        return event;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ADDED", "MODIFIED", "DELETED"})
    void objectEventsFromANewerServerAreRead(String type) throws IOException {
        Watch.Response<V1Service> event = ResourceDecoder.SERVICES.events()
                .read(reader(event(type, object(fixture("service.json")))));

        assertThat(event.type).isEqualTo(type);
        assertThat(event.object).isEqualTo(FullObjects.service());
        assertThat(event.status).isNull();
    }

    @Test
    void clientJavaRejectsAnEventFromANewerServer() {
        String line = event("ADDED", object(fixture("endpointslice.json"))).toString();

        assertThatThrownBy(() -> JSON.deserialize(line,
                TypeToken.getParameterized(Watch.Response.class, V1EndpointSlice.class).getType()))
                .hasMessageContaining("is not defined in the");
    }

    @Test
    void aBookmarkKeepsItsResourceVersion() throws IOException {
        JsonObject bookmark = object("""
                {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
                 "metadata": {"resourceVersion": "5005", "annotations": {"k8s.io/initial-events-end": "true"},
                              "futureBookmarkWindow": 30},
                 "futureBookmarkProgress": {"percent": 100}}
                """);

        Watch.Response<V1EndpointSlice> event = ResourceDecoder.ENDPOINT_SLICES.events().read(reader(event("BOOKMARK", bookmark)));

        assertThat(event.type).isEqualTo("BOOKMARK");
        assertThat(event.object.getMetadata().getResourceVersion()).isEqualTo("5005");
    }

    @Test
    void aBookmarkWithAnUnreadableFieldStillKeepsItsResourceVersion() throws IOException {
        JsonObject bookmark = object("{\"metadata\": {\"resourceVersion\": \"5006\", \"labels\": [1]}}");

        Watch.Response<V1Service> event = ResourceDecoder.SERVICES.events().read(reader(event("BOOKMARK", bookmark)));

        assertThat(event.object.getMetadata().getResourceVersion()).isEqualTo("5006");
    }

    @Test
    void anErrorCarriesItsStatus() throws IOException {
        JsonObject status = object("""
                {"kind": "Status", "apiVersion": "v1", "metadata": {"futureStatusMeta": 1}, "status": "Failure",
                 "message": "too old resource version: 100 (200)", "reason": "Expired", "code": 410,
                 "details": {"causes": [{"reason": "x"}]}, "futureStatusRetryAfter": "1s"}
                """);

        Watch.Response<V1Service> event = ResourceDecoder.SERVICES.events().read(reader(event("ERROR", status)));

        assertThat(event.type).isEqualTo("ERROR");
        assertThat(event.object).isNull();
        assertThat(event.status.getCode()).isEqualTo(410);
        assertThat(event.status.getReason()).isEqualTo("Expired");
        assertThat(event.status.getMessage()).isEqualTo("too old resource version: 100 (200)");
    }

    @Test
    void anErrorWithoutACodeHasCodeZero() throws IOException {
        Watch.Response<V1Service> event = ResourceDecoder.SERVICES.events()
                .read(reader(event("ERROR", object("{\"code\": \"teapot\", \"message\": \"?\"}"))));

        assertThat(event.status.getCode()).isZero();
        assertThat(event.status.getMessage()).isEqualTo("?");
    }

    @Test
    void theObjectMayComeBeforeTheType() throws IOException {
        JsonObject event = object("{\"object\": " + fixture("node.json") + ", \"type\": \"MODIFIED\"}");

        Watch.Response<V1Node> decoded = ResourceDecoder.NODES.events()
                .read(reader(event));

        assertThat(decoded.type).isEqualTo("MODIFIED");
        assertThat(decoded.object).isEqualTo(FullObjects.node());
    }

    @Test
    void anObjectThatCannotBeReadRejectsTheEvent() {
        JsonObject bad = with(object(fixture("service.json")), "spec.ports", json("\"all\""));

        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> ResourceDecoder.SERVICES.events().read(reader(event("MODIFIED", bad))));

        assertThat(rejected.getMessage()).isEqualTo("Service demo/web: spec.ports: expected a list, found the string \"all\"");
        assertThat(rejected.identified()).isTrue();
    }

    @Test
    void anEventWithoutTypeOrObjectIsMalformed() {
        assertThatThrownBy(() -> ResourceDecoder.SERVICES.events().read(reader(object("{\"object\": {}}"))))
                .isInstanceOf(JsonParseException.class).hasMessage("watch event has no type");
        assertThatThrownBy(() -> ResourceDecoder.SERVICES.events().read(reader(object("{\"type\": \"ADDED\"}"))))
                .isInstanceOf(JsonParseException.class).hasMessage("ADDED watch event has no object");
        assertThatThrownBy(() -> ResourceDecoder.SERVICES.events().read(reader(json("[]"))))
                .isInstanceOf(JsonParseException.class).hasMessage("watch event is not a JSON object");
    }
}
