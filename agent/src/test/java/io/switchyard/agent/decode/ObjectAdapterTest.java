package io.switchyard.agent.decode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.Map;

import static io.switchyard.agent.decode.JsonTrees.json;
import static io.switchyard.agent.decode.JsonTrees.object;
import static io.switchyard.agent.decode.JsonTrees.reader;
import static io.switchyard.agent.decode.JsonTrees.with;
import static io.switchyard.agent.decode.JsonTrees.withFutureFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The object decoders: every kept field round-trips, anything else is skipped whatever its
 * type, and a wrong type in a kept field rejects the object naming the field.
 */
class ObjectAdapterTest {

    private static final Map<String, ResourceDecoder<?, ?>> DECODERS = Map.of(
            "Service", ResourceDecoder.SERVICES,
            "EndpointSlice", ResourceDecoder.ENDPOINT_SLICES,
            "Node", ResourceDecoder.NODES);

    @Test
    void everyKeptFieldRoundTrips() throws IOException {
        assertThat(decode(ResourceDecoder.SERVICES, tree(FullObjects.service()))).isEqualTo(FullObjects.service());
        assertThat(decode(ResourceDecoder.ENDPOINT_SLICES, tree(FullObjects.slice()))).isEqualTo(FullObjects.slice());
        assertThat(decode(ResourceDecoder.NODES, tree(FullObjects.node()))).isEqualTo(FullObjects.node());
    }

    @Test
    void unknownFieldsOfEveryTypeAtEveryLevelAreSkipped() throws IOException {
        JsonElement service = withFutureFields(tree(FullObjects.service()));
        JsonElement slice = withFutureFields(tree(FullObjects.slice()));
        JsonElement node = withFutureFields(tree(FullObjects.node()));
        assertThat(service.toString()).contains("futureObject4"); // down to spec.ports[i] and ingress[i]

        assertThat(decode(ResourceDecoder.SERVICES, service)).isEqualTo(FullObjects.service());
        assertThat(decode(ResourceDecoder.ENDPOINT_SLICES, slice)).isEqualTo(FullObjects.slice());
        assertThat(decode(ResourceDecoder.NODES, node)).isEqualTo(FullObjects.node());
    }

    @Test
    void absentFieldsReadAsClientJavaWouldGiveThem() throws IOException {
        V1Service empty = decode(ResourceDecoder.SERVICES, object("{\"spec\": {}, \"metadata\": {}}"));
        V1Service fromClientJava = JSON.deserialize("{\"spec\": {}, \"metadata\": {}}", V1Service.class);

        assertThat(empty).isEqualTo(fromClientJava);
        assertThat(empty.getSpec().getClusterIPs()).isEmpty(); // empty, not null, as client-java's
        assertThat(empty.getMetadata().getLabels()).isEmpty();
        assertThat(empty.getStatus()).isNull();
    }

    @Test
    void nullReadsAsAbsent() throws IOException {
        JsonObject service = with(tree(FullObjects.service()).getAsJsonObject(), "spec.externalIPs", json("null"));
        service = with(service, "spec.healthCheckNodePort", json("null"));

        V1Service decoded = decode(ResourceDecoder.SERVICES, service);

        assertThat(decoded.getSpec().getExternalIPs()).isEmpty();
        assertThat(decoded.getSpec().getHealthCheckNodePort()).isNull();
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            Service       | metadata.uid                              | 5
            Service       | metadata.creationTimestamp                | true
            Service       | metadata.deletionTimestamp                | [1, 2]
            Service       | metadata.managedFields                    | "all of them"
            Service       | metadata.annotations                      | {"other": 5, "more": {"a": [1]}}
            Service       | spec.selector                             | [1, 2]
            Service       | spec.ipFamilyPolicy                       | {"policy": true}
            Service       | spec.ports[0].targetPort                  | {"a": 1}
            Service       | spec.ports[0].appProtocol                 | 7
            Service       | status.conditions                         | "none"
            Service       | status.loadBalancer.ingress[0].ports      | {"port": "eighty"}
            EndpointSlice | endpoints[0].targetRef                    | "web-0"
            EndpointSlice | endpoints[0].deprecatedTopology           | [true]
            EndpointSlice | ports[0].appProtocol                      | []
            Node          | status.capacity                           | "lots"
            Node          | status.nodeInfo                           | 12
            Node          | spec.taints[0].timeAdded                  | "last week"
            """)
    void wrongTypesInFieldsTheProxyDoesNotUseAreSkipped(String kind, String path, String value) throws IOException {
        ResourceDecoder<?, ?> decoder = DECODERS.get(kind);
        JsonObject full = json(full(kind)).getAsJsonObject();

        KubernetesObject decoded = decode(decoder, with(full, path, json(value)));

        assertThat(decoded).isEqualTo(decode(decoder, full));
    }

    @ParameterizedTest(name = "{0} {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            Service       | spec.ports[0].port                        | "eighty"            | expected an integer, found the string "eighty"
            Service       | spec.ports[0].port                        | 80.5                | expected a 32-bit integer, found the number 80.5
            Service       | spec.ports[0].nodePort                    | 4294967296          | expected a 32-bit integer, found the number 4294967296
            Service       | spec.ports                                | {"name": "http"}    | expected a list, found an object
            Service       | spec.ports[1]                             | "metrics"           | expected an object, found the string "metrics"
            Service       | spec.clusterIP                            | ["10.0.0.1"]        | expected a string, found a list
            Service       | spec.clusterIPs[1]                        | 7                   | expected a string, found the number 7
            Service       | spec.type                                 | false               | expected a string, found false
            Service       | spec                                      | "none"              | expected an object, found the string "none"
            Service       | spec.sessionAffinityConfig.clientIP.timeoutSeconds | "600"      | expected an integer, found the string "600"
            Service       | status.loadBalancer.ingress[0].ip         | {}                  | expected a string, found an object
            Service       | metadata.labels                           | ["app"]             | expected an object, found a list
            Service       | metadata.labels.app                       | 5                   | expected a string, found the number 5
            Service       | metadata.namespace                        | ["demo"]            | expected a string, found a list
            EndpointSlice | endpoints[0].conditions.ready             | "yes"               | expected true or false, found the string "yes"
            EndpointSlice | endpoints[1].addresses                    | "10.244.2.9"        | expected a list, found the string "10.244.2.9"
            EndpointSlice | endpoints[0].hints.forZones[0].name       | 1                   | expected a string, found the number 1
            EndpointSlice | ports[1].port                             | "9100"              | expected an integer, found the string "9100"
            EndpointSlice | metadata.annotations                      | "x"                 | expected an object, found the string "x"
            EndpointSlice | metadata.annotations                      | {"endpoints.kubernetes.io/last-change-trigger-time": 3} | expected a string, found the number 3
            Node          | metadata.deletionTimestamp                | "yesterday"         | expected an RFC 3339 time, found the string "yesterday"
            Node          | spec.taints[0]                            | "NoSchedule"        | expected an object, found the string "NoSchedule"
            Node          | spec.podCIDRs                             | "10.244.1.0/24"     | expected a list, found the string "10.244.1.0/24"
            Node          | status.addresses[2].address               | null                | -
            """)
    void wrongTypesInUsedFieldsRejectTheObjectNamingTheField(String kind, String path, String value, String message)
            throws IOException {
        ResourceDecoder<?, ?> decoder = DECODERS.get(kind);
        JsonObject bad = with(json(full(kind)).getAsJsonObject(), path, json(value));
        if (message.equals("-")) { // null is absent, not wrong
            assertThat(decode(decoder, bad)).isNotNull();
            return;
        }

        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> decoder.objects().read(reader(bad)));

        String field = value.startsWith("{\"endpoints.") ? path + ".endpoints.kubernetes.io/last-change-trigger-time"
                : path;
        assertThat(rejected.problems()).extracting(FieldProblem::toString).containsExactly(field + ": " + message);
        assertThat(rejected.getMessage()).startsWith(kind + " ").contains(field + ": " + message);
        assertThat(rejected.partial()).isNotNull();
    }

    @Test
    void aRejectedObjectIsNamedFromWhatCouldBeRead() {
        JsonObject bad = with(tree(FullObjects.service()).getAsJsonObject(), "spec.ports[0].port", json("\"eighty\""));

        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> ResourceDecoder.SERVICES.objects().read(reader(bad)));

        assertThat(rejected.object()).isEqualTo("Service demo/web");
        assertThat(rejected.identified()).isTrue();
        assertThat(rejected.getMessage())
                .isEqualTo("Service demo/web: spec.ports[0].port: expected an integer, found the string \"eighty\"");
    }

    @Test
    void anObjectWithBrokenMetadataIsNotIdentified() {
        JsonObject bad = with(tree(FullObjects.slice()).getAsJsonObject(), "metadata.labels", json("[]"));

        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> ResourceDecoder.ENDPOINT_SLICES.objects().read(reader(bad)));

        assertThat(rejected.object()).isEqualTo("EndpointSlice demo/web-x7k2p");
        assertThat(rejected.identified()).isFalse();
    }

    @Test
    void everyProblemOfAnObjectIsReported() {
        JsonObject bad = with(with(tree(FullObjects.service()).getAsJsonObject(), "spec.ports[0].port", json("\"x\"")),
                "spec.clusterIP", json("1"));

        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> ResourceDecoder.SERVICES.objects().read(reader(bad)));

        // In the order of the input: client-java writes clusterIP before ports.
        assertThat(rejected.fields()).isEqualTo("spec.clusterIP: expected a string, found the number 1; "
                + "spec.ports[0].port: expected an integer, found the string \"x\"");
    }

    @Test
    void aValueThatIsNotAnObjectIsRejected() {
        ObjectRejectedException rejected = catchThrowableOfType(ObjectRejectedException.class,
                () -> ResourceDecoder.NODES.objects().read(reader(json("[1]"))));

        assertThat(rejected.getMessage()).isEqualTo("Node (unnamed): expected an object, found a list");
        assertThat(rejected.partial()).isNull();
    }

    @Test
    void integersMayBeWrittenAsWholeDecimals() throws IOException {
        JsonObject service = with(tree(FullObjects.service()).getAsJsonObject(), "spec.ports[0].port", json("80.0"));
        service = with(service, "spec.ports[1].port", json("9.1e3"));

        V1Service decoded = decode(ResourceDecoder.SERVICES, service);

        assertThat(decoded.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80, 9100);
    }

    @Test
    void repeatedValuesAreSharedAndCollectionsAreImmutable() throws IOException {
        V1EndpointSlice a = decode(ResourceDecoder.ENDPOINT_SLICES, tree(FullObjects.slice()));
        V1EndpointSlice b = decode(ResourceDecoder.ENDPOINT_SLICES, tree(FullObjects.slice()));

        assertThat(a.getPorts().getFirst().getProtocol()).isSameAs(b.getPorts().getFirst().getProtocol());
        assertThat(a.getEndpoints().getFirst().getZone()).isSameAs(b.getEndpoints().getFirst().getZone());
        assertThat(a.getMetadata().getLabels().keySet().iterator().next())
                .isSameAs(b.getMetadata().getLabels().keySet().iterator().next());
        assertThatThrownBy(() -> a.getEndpoints().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theDecodersDoNotWrite() {
        assertThatThrownBy(() -> ResourceDecoder.NODES.objects().toJson(FullObjects.node()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    private static String full(String kind) {
        return switch (kind) {
            case "Service" -> JSON.serialize(FullObjects.service());
            case "EndpointSlice" -> JSON.serialize(FullObjects.slice());
            case "Node" -> JSON.serialize(FullObjects.node());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static JsonElement tree(Object model) {
        return json(JSON.serialize(model));
    }

    private static <T extends KubernetesObject> T decode(ResourceDecoder<T, ?> decoder, JsonElement json)
            throws IOException {
        return decoder.objects().read(reader(json));
    }
}
