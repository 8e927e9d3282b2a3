package io.switchyard.agent.decode;

import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1ListMeta;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Decodes a LIST response (a ServiceList, EndpointSliceList or NodeList): its kind, its
 * resourceVersion and its items, skipping every other field. An item the item adapter rejects
 * goes to the {@code rejected} sink and is left out, and the items after it are still read; a
 * list whose own fields are unusable (items not a list, a resourceVersion that is not a string)
 * fails as a whole with a {@link JsonParseException}.
 */
public final class ListAdapter<T extends KubernetesObject, L extends KubernetesListObject> extends TypeAdapter<L> {

    /** Builds the list model from what was read. */
    @FunctionalInterface
    public interface Factory<T, L> {
        L create(String apiVersion, String kind, V1ListMeta metadata, List<T> items);
    }

    private final ObjectAdapter<T> items;
    private final Factory<T, L> factory;
    private final Consumer<ObjectRejectedException> rejected;

    ListAdapter(ObjectAdapter<T> items, Factory<T, L> factory, Consumer<ObjectRejectedException> rejected) {
        this.items = items;
        this.factory = factory;
        this.rejected = rejected;
    }

    @Override
    public L read(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return null;
        }
        FieldReader fields = new FieldReader(in);
        String apiVersion = null;
        String kind = null;
        V1ListMeta metadata = null;
        List<T> list = new ArrayList<>();
        if (fields.beginObject()) {
            String field;
            while ((field = fields.nextField()) != null) {
                switch (field) {
                    case "apiVersion" -> apiVersion = fields.token();
                    case "kind" -> kind = fields.token();
                    case "metadata" -> metadata = listMeta(fields);
                    case "items" -> readItems(in, fields, list);
                    default -> fields.skip();
                }
            }
        }
        if (fields.hasProblems()) {
            throw new JsonParseException(items.kind() + "List: " + String.join("; ",
                    fields.problems().stream().map(FieldProblem::toString).toList()));
        }
        return factory.create(apiVersion, kind, metadata, list);
    }

    private void readItems(JsonReader in, FieldReader fields, List<T> into) throws IOException {
        if (!fields.beginArray()) {
            return; // null, or the wrong type noted
        }
        while (in.hasNext()) {
            try {
                T item = items.read(in);
                if (item != null) {
                    into.add(item);
                }
            } catch (ObjectRejectedException e) {
                rejected.accept(e);
            }
        }
        in.endArray();
    }

    private static V1ListMeta listMeta(FieldReader fields) throws IOException {
        if (!fields.beginObject()) {
            return null;
        }
        V1ListMeta meta = new V1ListMeta();
        String field;
        while ((field = fields.nextField()) != null) {
            if (field.equals("resourceVersion")) {
                meta.setResourceVersion(fields.string());
            } else {
                fields.skip();
            }
        }
        return meta;
    }

    @Override
    public void write(JsonWriter out, L value) {
        throw new UnsupportedOperationException("the proxy's decoders only read " + items.kind() + " lists");
    }
}
