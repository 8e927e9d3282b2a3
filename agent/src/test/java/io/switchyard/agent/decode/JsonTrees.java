package io.switchyard.agent.decode;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Test helpers: fixtures, JSON edits by path, and fields from a future API version added everywhere. */
final class JsonTrees {

    /** Maps whose keys are data (labels...), not fields: a future field there would be an entry. */
    private static final Set<String> MAP_FIELDS = Set.of("labels", "annotations", "selector", "capacity",
            "allocatable", "deprecatedTopology");

    private JsonTrees() {
    }

    /** A fixture from {@code src/test/resources/decode}. */
    static String fixture(String name) {
        try (InputStream in = JsonTrees.class.getResourceAsStream("/decode/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonObject object(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    static JsonReader reader(JsonElement json) {
        return new JsonReader(new StringReader(json.toString()));
    }

    /** Sets the value at a path like {@code spec.ports[0].port}, creating nothing: the parent must exist. */
    static JsonObject with(JsonObject root, String path, JsonElement value) {
        JsonObject copy = root.deepCopy();
        List<String> steps = List.of(path.split("\\.(?![^\\[]*\\])"));
        JsonElement at = copy;
        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i);
            boolean last = i == steps.size() - 1;
            int bracket = step.indexOf('[');
            String name = bracket < 0 ? step : step.substring(0, bracket);
            if (bracket < 0) {
                if (last) {
                    at.getAsJsonObject().add(name, value);
                    return copy;
                }
                at = at.getAsJsonObject().get(name);
            } else {
                JsonArray array = at.getAsJsonObject().getAsJsonArray(name);
                int index = Integer.parseInt(step.substring(bracket + 1, step.length() - 1));
                if (last) {
                    array.set(index, value);
                    return copy;
                }
                at = array.get(index);
            }
        }
        return copy;
    }

    /** A JSON value from its text: {@code "\"eighty\""}, {@code "80.5"}, {@code "{}"}. */
    static JsonElement json(String text) {
        return JsonParser.parseString(text);
    }

    /**
     * A copy with fields no client-java model knows added to every object at every depth
     * (except the entries of maps), of every JSON type.
     */
    static JsonElement withFutureFields(JsonElement element) {
        JsonElement copy = element.deepCopy();
        addFutureFields(copy, 0);
        return copy;
    }

    private static void addFutureFields(JsonElement element, int depth) {
        if (element instanceof JsonArray array) {
            array.forEach(e -> addFutureFields(e, depth + 1));
        } else if (element instanceof JsonObject object) {
            for (Map.Entry<String, JsonElement> entry : object.entrySet()) {
                if (!MAP_FIELDS.contains(entry.getKey())) {
                    addFutureFields(entry.getValue(), depth + 1);
                }
            }
            JsonObject nested = new JsonObject();
            nested.add("list", json("[1, \"two\", {\"three\": [null, true]}]"));
            nested.add("nothing", JsonNull.INSTANCE);
            object.add("futureObject" + depth, nested);
            object.add("futureList" + depth, json("[{\"a\": {}}, [], \"x\"]"));
            object.add("futureString" + depth, new JsonPrimitive("v1.40"));
            object.add("futureNumber" + depth, new JsonPrimitive(1.5e300));
            object.add("futureBoolean" + depth, new JsonPrimitive(false));
            object.add("futureNull" + depth, JsonNull.INSTANCE);
        }
    }
}
