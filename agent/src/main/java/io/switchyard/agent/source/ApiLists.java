package io.switchyard.agent.source;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.MalformedJsonException;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiException;
import io.switchyard.agent.decode.ObjectRejectedException;
import io.switchyard.agent.decode.ResourceDecoder;
import okhttp3.Call;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs a LIST request and decodes the answer as it streams in, with the proxy's decoders
 * instead of client-java's (which reject fields they do not know and keep every field they do):
 * what {@code ApiClient.execute} does, minus that.
 */
final class ApiLists {

    private ApiLists() {
    }

    /** What went wrong, in words: the HTTP answer, or the messages of the causes (not their class names). */
    static String describe(Throwable error) {
        if (error instanceof ApiException api && api.getCode() != 0) {
            return "HTTP " + api.getCode() + " " + Objects.requireNonNullElse(api.getResponseBody(), "");
        }
        List<String> messages = new ArrayList<>();
        for (Throwable t = error; t != null && messages.size() < 5; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof ApiException && message != null) {
                // client-java's ApiException reports all its fields, one per line: keep the message.
                message = message.lines().findFirst().orElse("").replaceFirst("^Message: ", "");
                message = message.equals("null") ? null : message;
            }
            boolean wrapper = t.getCause() != null && String.valueOf(t.getCause()).equals(message);
            if (message != null && !wrapper && !messages.contains(message)) {
                messages.add(message);
            }
        }
        return messages.isEmpty() ? "unknown error" : String.join(": ", messages);
    }

    /**
     * @param rejected receives each item that could not be read; the others are still returned
     * @throws ApiException when the server refuses or cannot be reached, or the answer is not a list
     */
    static <T extends KubernetesObject, L extends KubernetesListObject> L execute(
            Call call, ResourceDecoder<T, L> decoder, Consumer<ObjectRejectedException> rejected) throws ApiException {
        try (Response response = call.execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                throw new ApiException(response.message(), response.code(), response.headers().toMultimap(),
                        body == null ? null : body.string());
            }
            L list = body == null ? null : decoder.lists(rejected).read(new JsonReader(body.charStream()));
            if (list == null) {
                throw new ApiException("the API server sent no " + decoder.kind() + " list");
            }
            return list;
        } catch (MalformedJsonException | JsonParseException e) {
            throw new ApiException("the " + decoder.kind() + " list from the API server cannot be read: " + e.getMessage());
        } catch (IOException e) {
            throw new ApiException(e);
        }
    }
}
