package io.switchyard.agent.decode;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads the fields of one Kubernetes object from a {@link JsonReader} the way every decoder here
 * must: a value of the wrong JSON type is skipped and noted with its field path (relative to the
 * object) instead of failing, so the reader always ends up after the whole object, and the
 * caller decides what an object with such problems is worth. JSON {@code null} reads as absent.
 */
final class FieldReader {

    /** Longest scalar quoted in a problem; longer ones are cut. */
    private static final int QUOTE_LIMIT = 40;

    private final JsonReader in;
    /** The reader's path at the object's start, e.g. {@code $.items[3]}; field paths are relative to it. */
    private final String base;
    private List<FieldProblem> problems;

    FieldReader(JsonReader in) {
        this.in = in;
        this.base = in.getPath();
    }

    /** Where the object started, for naming it when it has no name: {@code items[3]}, or empty at the top. */
    String location() {
        return base.startsWith("$.") ? base.substring(2) : base.startsWith("$") ? base.substring(1) : base;
    }

    boolean hasProblems() {
        return problems != null;
    }

    List<FieldProblem> problems() {
        return problems == null ? List.of() : List.copyOf(problems);
    }

    /** Starts reading an object: true if there is one; false for null or (noting it) another type. */
    boolean beginObject() throws IOException {
        JsonToken token = in.peek();
        if (token == JsonToken.BEGIN_OBJECT) {
            in.beginObject();
            return true;
        }
        if (token == JsonToken.NULL) {
            in.nextNull();
        } else {
            wrongType("an object");
        }
        return false;
    }

    /** The next field's name, or null (having closed the object) when there are no more. */
    String nextField() throws IOException {
        if (in.hasNext()) {
            return in.nextName();
        }
        in.endObject();
        return null;
    }

    /** Skips a value this decoder does not keep, whatever its type. */
    void skip() throws IOException {
        in.skipValue();
    }

    String string() throws IOException {
        JsonToken token = in.peek();
        if (token == JsonToken.STRING) {
            return in.nextString();
        }
        if (token == JsonToken.NULL) {
            in.nextNull();
        } else {
            wrongType("a string");
        }
        return null;
    }

    /**
     * A string from a small vocabulary (a protocol, a type, a zone, a node or label name...),
     * shared with every other occurrence so that thousands of objects hold one copy.
     */
    String token() throws IOException {
        String value = string();
        return value == null ? null : value.intern();
    }

    /** A 32-bit integer (int32 in the API): a JSON number with no fraction, in range. */
    Integer int32() throws IOException {
        JsonToken token = in.peek();
        if (token == JsonToken.NUMBER) {
            String path = in.getPath();
            String text = in.nextString();
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException notPlain) {
                try {
                    return new BigDecimal(text).intValueExact(); // 80.0 and 8e1 are 80, as in Go
                } catch (NumberFormatException | ArithmeticException e) {
                    problemAt(path, "expected a 32-bit integer, found the number " + cut(text));
                    return null;
                }
            }
        }
        if (token == JsonToken.NULL) {
            in.nextNull();
        } else {
            wrongType("an integer");
        }
        return null;
    }

    Boolean bool() throws IOException {
        JsonToken token = in.peek();
        if (token == JsonToken.BOOLEAN) {
            return in.nextBoolean();
        }
        if (token == JsonToken.NULL) {
            in.nextNull();
        } else {
            wrongType("true or false");
        }
        return null;
    }

    /** An RFC 3339 time, as the API writes {@code metav1.Time}. */
    OffsetDateTime time() throws IOException {
        JsonToken token = in.peek();
        if (token != JsonToken.STRING) {
            string(); // null, or the wrong type noted
            return null;
        }
        String path = in.getPath();
        String value = in.nextString();
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            problemAt(path, "expected an RFC 3339 time, found the string " + quote(value));
            return null;
        }
    }

    /** A list of strings; null when absent. Each string is shared ({@link #token()}) when {@code tokens}. */
    List<String> strings(boolean tokens) throws IOException {
        if (!beginArray()) {
            return null;
        }
        List<String> values = new ArrayList<>(4);
        while (in.hasNext()) {
            if (in.peek() == JsonToken.NULL) {
                wrongType("a string");
                continue;
            }
            String value = tokens ? token() : string();
            if (value != null) {
                values.add(value);
            }
        }
        in.endArray();
        return compact(values);
    }

    /** A list whose elements {@code element} reads (an element it returns null for is left out); null when absent. */
    <T> List<T> list(Element<T> element) throws IOException {
        if (!beginArray()) {
            return null;
        }
        List<T> values = new ArrayList<>(4);
        while (in.hasNext()) {
            if (in.peek() == JsonToken.NULL) {
                wrongType("an object");
                continue;
            }
            T value = element.read(this);
            if (value != null) {
                values.add(value);
            }
        }
        in.endArray();
        return compact(values);
    }

    /** A string-to-string map keeping the entries whose key {@code keep} accepts; null when absent. */
    Map<String, String> stringMap(Predicate<String> keep) throws IOException {
        if (!beginObject()) {
            return null;
        }
        Map<String, String> values = null;
        String key;
        while ((key = nextField()) != null) {
            if (!keep.test(key)) {
                in.skipValue();
                continue;
            }
            if (in.peek() == JsonToken.NULL) {
                wrongType("a string");
                continue;
            }
            String value = string();
            if (value != null) {
                if (values == null) {
                    values = new HashMap<>();
                }
                values.put(key.intern(), value.length() < 64 ? value.intern() : value);
            }
        }
        return values == null ? Map.of() : Map.copyOf(values);
    }

    /** Reads one element of a list. */
    @FunctionalInterface
    interface Element<T> {
        T read(FieldReader reader) throws IOException;
    }

    /** Starts reading a list: true if there is one; false for null or (noting it) another type. */
    boolean beginArray() throws IOException {
        JsonToken token = in.peek();
        if (token == JsonToken.BEGIN_ARRAY) {
            in.beginArray();
            return true;
        }
        if (token == JsonToken.NULL) {
            in.nextNull();
        } else {
            wrongType("a list");
        }
        return false;
    }

    /** Notes that the current value is not what was expected, and skips it. */
    private void wrongType(String expected) throws IOException {
        String path = in.getPath();
        JsonToken token = in.peek();
        String found = switch (token) {
            case STRING -> "the string " + quote(in.nextString());
            case NUMBER -> "the number " + cut(in.nextString());
            case BOOLEAN -> String.valueOf(in.nextBoolean());
            default -> {
                in.skipValue();
                yield switch (token) {
                    case BEGIN_OBJECT -> "an object";
                    case BEGIN_ARRAY -> "a list";
                    default -> "null";
                };
            }
        };
        problemAt(path, "expected " + expected + ", found " + found);
    }

    private void problemAt(String path, String message) {
        if (problems == null) {
            problems = new ArrayList<>(2);
        }
        problems.add(new FieldProblem(relative(path), message));
    }

    private String relative(String path) {
        String field = path.startsWith(base) ? path.substring(base.length()) : path;
        return field.startsWith(".") ? field.substring(1) : field;
    }

    private static String cut(String value) {
        return value.length() > QUOTE_LIMIT ? value.substring(0, QUOTE_LIMIT) + "..." : value;
    }

    private static String quote(String value) {
        String shown = cut(value);
        StringBuilder out = new StringBuilder(shown.length() + 2).append('"');
        shown.codePoints().forEach(c -> {
            if (c == '"' || c == '\\') {
                out.append('\\').appendCodePoint(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append('"').toString();
    }

    /** The values as a compact immutable list. */
    private static <T> List<T> compact(List<T> values) {
        return switch (values.size()) {
            case 0 -> List.of();
            case 1 -> List.of(values.getFirst());
            case 2 -> List.of(values.get(0), values.get(1));
            default -> List.copyOf(values);
        };
    }
}
