package io.switchyard.agent.decode;

import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.switchyard.agent.convert.EndpointSliceConverter;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code metadata}: the identity, version, labels and the one annotation the proxy uses
 * (the EndpointSlice controller's last-change-trigger-time, for the sync latency metric).
 */
final class Metadata {

    private Metadata() {
    }

    /**
     * @param deletionTimestamp whether to keep {@code deletionTimestamp} (the Node's; a Service's or slice's is unused)
     * @return the metadata, or null when absent
     */
    static V1ObjectMeta read(FieldReader fields, boolean deletionTimestamp) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ObjectMeta meta = new V1ObjectMeta()
                .labels(Map.of()).annotations(Map.of())
                .finalizers(List.of()).managedFields(List.of()).ownerReferences(List.of());
        String field;
        while ((field = fields.nextField()) != null) {
            switch (field) {
                case "name" -> meta.setName(fields.string());
                case "namespace" -> meta.setNamespace(fields.token());
                case "resourceVersion" -> meta.setResourceVersion(fields.string());
                case "labels" -> meta.setLabels(orEmpty(fields.stringMap(key -> true)));
                case "annotations" -> meta.setAnnotations(orEmpty(fields.stringMap(EndpointSliceConverter.TRIGGER_TIME_ANNOTATION::equals)));
                case "deletionTimestamp" -> {
                    if (deletionTimestamp) {
                        meta.setDeletionTimestamp(fields.time());
                    } else {
                        fields.skip();
                    }
                }
                default -> fields.skip();
            }
        }
        return meta;
    }

    static <T> List<T> orEmpty(List<T> values) {
        return values == null ? List.of() : values;
    }

    static <K, V> Map<K, V> orEmpty(Map<K, V> values) {
        return values == null ? Map.of() : values;
    }
}
