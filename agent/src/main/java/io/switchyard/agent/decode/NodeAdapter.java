package io.switchyard.agent.decode;

import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeAddress;
import io.kubernetes.client.openapi.models.V1NodeSpec;
import io.kubernetes.client.openapi.models.V1NodeStatus;
import io.kubernetes.client.openapi.models.V1Taint;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.switchyard.agent.decode.Metadata.orEmpty;

/**
 * The local Node as the proxy reads it: labels (topology), deletion timestamp and taints (the
 * health server's "being deleted" signals), pod CIDRs and addresses.
 */
final class NodeAdapter extends ObjectAdapter<V1Node> {

    NodeAdapter() {
        super("Node");
    }

    @Override
    V1Node readFields(FieldReader fields) throws IOException {
        V1Node node = new V1Node();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "apiVersion" -> node.setApiVersion(fields.token());
                case "kind" -> node.setKind(fields.token());
                case "metadata" -> node.setMetadata(Metadata.read(fields, true));
                case "spec" -> node.setSpec(spec(fields));
                case "status" -> node.setStatus(status(fields));
                default -> fields.skip();
            }
        }
        return node;
    }

    private static V1NodeSpec spec(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1NodeSpec spec = new V1NodeSpec().podCIDRs(List.of()).taints(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "podCIDR" -> spec.setPodCIDR(fields.string());
                case "podCIDRs" -> spec.setPodCIDRs(orEmpty(fields.strings(false)));
                case "taints" -> spec.setTaints(orEmpty(fields.list(NodeAdapter::taint)));
                default -> fields.skip();
            }
        }
        return spec;
    }

    private static V1Taint taint(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1Taint taint = new V1Taint();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "key" -> taint.setKey(fields.token());
                case "value" -> taint.setValue(fields.string());
                case "effect" -> taint.setEffect(fields.token());
                default -> fields.skip();
            }
        }
        return taint;
    }

    private static V1NodeStatus status(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1NodeStatus status = new V1NodeStatus()
                .addresses(List.of()).allocatable(Map.of()).capacity(Map.of()).conditions(List.of())
                .declaredFeatures(List.of()).images(List.of()).runtimeHandlers(List.of())
                .volumesAttached(List.of()).volumesInUse(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("addresses")) {
                status.setAddresses(orEmpty(fields.list(NodeAdapter::address)));
            } else {
                fields.skip();
            }
        }
        return status;
    }

    private static V1NodeAddress address(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1NodeAddress address = new V1NodeAddress();
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "type" -> address.setType(fields.token());
                case "address" -> address.setAddress(fields.string());
                default -> fields.skip();
            }
        }
        return address;
    }
}
