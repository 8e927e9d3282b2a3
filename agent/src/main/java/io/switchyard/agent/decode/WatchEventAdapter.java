package io.switchyard.agent.decode;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.Watch;

import java.io.IOException;
import java.io.StringReader;

/**
 * Decodes one watch event, {@code {"type": ..., "object": ...}}, skipping any other field.
 * ADDED, MODIFIED and DELETED carry an object decoded like a list item; BOOKMARK carries
 * whatever of its object decodes (the informer needs only its resourceVersion); ERROR carries
 * a Status. An object rejected by the object adapter is rethrown as it is, once the whole event
 * has been read.
 */
public final class WatchEventAdapter<T extends KubernetesObject> extends TypeAdapter<Watch.Response<T>> {

    private static final StatusAdapter STATUS = new StatusAdapter();

    private final ObjectAdapter<T> objects;

    WatchEventAdapter(ObjectAdapter<T> objects) {
        this.objects = objects;
    }

    @Override
    public Watch.Response<T> read(JsonReader in) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw new JsonParseException("watch event is not a JSON object");
        }
        in.beginObject();
        String type = null;
        JsonElement earlyObject = null;
        Watch.Response<T> event = null;
        ObjectRejectedException rejected = null;
        while (in.hasNext()) {
            switch (in.nextName()) {
                case "type" -> {
                    if (in.peek() != JsonToken.STRING) {
                        throw new JsonParseException("watch event type is not a string");
                    }
                    type = in.nextString();
                }
                case "object" -> {
                    if (type == null) {
                        earlyObject = JsonParser.parseReader(in); // rare: "object" before "type"
                    } else {
                        try {
                            event = decode(type, in);
                        } catch (ObjectRejectedException e) {
                            rejected = e;
                        }
                    }
                }
                default -> in.skipValue();
            }
        }
        in.endObject();
        if (type == null) {
            throw new JsonParseException("watch event has no type");
        }
        if (earlyObject != null) {
            try {
                event = decode(type, new JsonReader(new StringReader(earlyObject.toString())));
            } catch (ObjectRejectedException e) {
                rejected = e;
            }
        }
        if (rejected != null) {
            throw rejected;
        }
        if (event == null) {
            throw new JsonParseException(type + " watch event has no object");
        }
        return event;
    }

    private Watch.Response<T> decode(String type, JsonReader in) throws IOException {
        if (type.equals("ERROR")) {
            V1Status status = STATUS.read(in);
            return new Watch.Response<>(type, status);
        }
        T object;
        try {
            object = objects.read(in);
        } catch (ObjectRejectedException e) {
            if (!type.equals("BOOKMARK") || e.partial() == null) {
                throw e;
            }
            @SuppressWarnings("unchecked") // the partial object of an ObjectAdapter<T> is a T
            T partial = (T) e.partial();
            object = partial;
        }
        return object == null ? null : new Watch.Response<>(type, object);
    }

    @Override
    public void write(JsonWriter out, Watch.Response<T> value) {
        throw new UnsupportedOperationException("the proxy's decoders only read watch events");
    }
}
