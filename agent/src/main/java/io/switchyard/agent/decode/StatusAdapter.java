package io.switchyard.agent.decode;

import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.kubernetes.client.openapi.models.V1Status;

import java.io.IOException;

/**
 * Decodes the Status of a watch ERROR event: code, reason, message. Lenient throughout, since
 * an error must be reported whatever it looks like: a field of the wrong type is left out, and
 * a missing code reads as 0 (the reflector treats any code but 410 as a failed watch).
 */
final class StatusAdapter extends TypeAdapter<V1Status> {

    @Override
    public V1Status read(JsonReader in) throws IOException {
        if (in.peek() == JsonToken.NULL) {
            in.nextNull();
            return new V1Status().code(0);
        }
        FieldReader fields = new FieldReader(in);
        V1Status status = new V1Status();
        if (fields.beginObject()) {
            String field;
            while ((field = fields.nextField()) != null) {
                switch (field) {
                    case "apiVersion" -> status.setApiVersion(fields.token());
                    case "kind" -> status.setKind(fields.token());
                    case "status" -> status.setStatus(fields.token());
                    case "message" -> status.setMessage(fields.string());
                    case "reason" -> status.setReason(fields.token());
                    case "code" -> status.setCode(fields.int32());
                    default -> fields.skip();
                }
            }
        }
        if (status.getCode() == null) {
            status.setCode(0);
        }
        return status;
    }

    @Override
    public void write(JsonWriter out, V1Status value) {
        throw new UnsupportedOperationException("the proxy's decoders only read statuses");
    }
}
