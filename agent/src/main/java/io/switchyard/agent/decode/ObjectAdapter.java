package io.switchyard.agent.decode;

import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.common.KubernetesObject;

import java.io.IOException;

/**
 * Decodes one kind of Kubernetes object into its client-java model, keeping only the fields
 * the proxy reads and skipping every other field, known or not, whatever its type. Collections
 * the model would default to empty ones are shared immutable empties, and lists and maps are
 * compact immutable ones. A wrong JSON type in a kept field rejects the object with an
 * {@link ObjectRejectedException} naming the field, after the whole object has been read.
 * Decoding only: these adapters do not write.
 */
public abstract sealed class ObjectAdapter<T extends KubernetesObject> extends TypeAdapter<T>
        permits ServiceAdapter, EndpointSliceAdapter, NodeAdapter {

    private final String kind;

    ObjectAdapter(String kind) {
        this.kind = kind;
    }

    /** The kind this adapter reads, e.g. {@code Service}. */
    public final String kind() {
        return kind;
    }

    /**
     * @return the object, or null for a JSON null
     * @throws ObjectRejectedException when a field the proxy uses has the wrong type (the reader is past the object)
     * @throws IOException when the input is not JSON
     */
    @Override
    public final T read(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return null;
        }
        FieldReader fields = new FieldReader(in);
        T object = fields.beginObject() ? readFields(fields) : null;
        if (fields.hasProblems()) {
            throw new ObjectRejectedException(kind, object, fields.location(), fields.problems());
        }
        return object;
    }

    /** Reads the fields of an object whose opening brace has been read, through its closing one. */
    abstract T readFields(FieldReader fields) throws IOException;

    @Override
    public final void write(JsonWriter out, T value) {
        throw new UnsupportedOperationException("the proxy's decoders only read " + kind + " objects");
    }
}
