package io.switchyard.agent.decode;

import io.kubernetes.client.openapi.models.DiscoveryV1EndpointPort;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointHints;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ForNode;
import io.kubernetes.client.openapi.models.V1ForZone;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.switchyard.agent.decode.Metadata.orEmpty;

/**
 * An EndpointSlice as the proxy reads it: address type, ports (name, port, protocol) and
 * endpoints (addresses, ready/serving/terminating, node name, zone, zone and node hints).
 */
final class EndpointSliceAdapter extends ObjectAdapter<V1EndpointSlice> {

    EndpointSliceAdapter() {
        super("EndpointSlice");
    }

    @Override
    V1EndpointSlice readFields(FieldReader fields) throws IOException {
        V1EndpointSlice slice = new V1EndpointSlice().endpoints(List.of()).ports(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "apiVersion" -> slice.setApiVersion(fields.token());
                case "kind" -> slice.setKind(fields.token());
                case "metadata" -> slice.setMetadata(Metadata.read(fields, false));
                case "addressType" -> slice.setAddressType(fields.token());
                case "endpoints" -> slice.setEndpoints(orEmpty(fields.list(EndpointSliceAdapter::endpoint)));
                case "ports" -> slice.setPorts(orEmpty(fields.list(EndpointSliceAdapter::port)));
                default -> fields.skip();
            }
        }
        return slice;
    }

    private static V1Endpoint endpoint(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1Endpoint endpoint = new V1Endpoint().addresses(List.of()).deprecatedTopology(Map.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "addresses" -> endpoint.setAddresses(orEmpty(fields.strings(false)));
                case "conditions" -> endpoint.setConditions(conditions(fields));
                case "nodeName" -> endpoint.setNodeName(fields.token());
                case "zone" -> endpoint.setZone(fields.token());
                case "hints" -> endpoint.setHints(hints(fields));
                default -> fields.skip();
            }
        }
        return endpoint;
    }

    private static V1EndpointConditions conditions(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1EndpointConditions conditions = new V1EndpointConditions();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "ready" -> conditions.setReady(fields.bool());
                case "serving" -> conditions.setServing(fields.bool());
                case "terminating" -> conditions.setTerminating(fields.bool());
                default -> fields.skip();
            }
        }
        return conditions;
    }

    private static V1EndpointHints hints(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1EndpointHints hints = new V1EndpointHints().forZones(List.of()).forNodes(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "forZones" -> hints.setForZones(orEmpty(fields.list(EndpointSliceAdapter::forZone)));
                case "forNodes" -> hints.setForNodes(orEmpty(fields.list(EndpointSliceAdapter::forNode)));
                default -> fields.skip();
            }
        }
        return hints;
    }

    private static V1ForZone forZone(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ForZone hint = new V1ForZone();
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("name")) {
                hint.setName(fields.token());
            } else {
                fields.skip();
            }
        }
        return hint;
    }

    private static V1ForNode forNode(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ForNode hint = new V1ForNode();
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("name")) {
                hint.setName(fields.token());
            } else {
                fields.skip();
            }
        }
        return hint;
    }

    private static DiscoveryV1EndpointPort port(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        DiscoveryV1EndpointPort port = new DiscoveryV1EndpointPort();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "name" -> port.setName(fields.token());
                case "port" -> port.setPort(fields.int32());
                case "protocol" -> port.setProtocol(fields.token());
                default -> fields.skip();
            }
        }
        return port;
    }
}
