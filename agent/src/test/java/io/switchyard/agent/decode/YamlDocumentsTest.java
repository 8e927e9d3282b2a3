package io.switchyard.agent.decode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.switchyard.agent.decode.JsonTrees.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** YAML text to JSON trees: YAML 1.1 scalars as kubectl reads them, anchors, merges, errors, streamed List items. */
class YamlDocumentsTest {

    /** Records what the reader delivers, in order. */
    private static final class Recorder implements YamlDocuments.Sink {
        final List<String> events = new ArrayList<>();
        final List<JsonElement> documents = new ArrayList<>();

        @Override
        public void item(JsonElement item) {
            events.add("item " + item);
        }

        @Override
        public void document(JsonElement document) {
            events.add("document " + document);
            documents.add(document);
        }
    }

    private static Recorder read(String yaml) throws YamlSyntaxException {
        Recorder recorder = new Recorder();
        YamlDocuments.read(yaml, "test.yaml", recorder);
        return recorder;
    }

    private static JsonObject single(String yaml) throws YamlSyntaxException {
        Recorder recorder = read(yaml);
        assertThat(recorder.documents).hasSize(1);
        return recorder.documents.getFirst().getAsJsonObject();
    }

    @Test
    void scalarsAreReadAsYaml11AsKubectlDoes() throws YamlSyntaxException {
        JsonObject doc = single("""
                yes: yes
                off: Off
                hex: 0x1F
                octal: 010
                grouped: 1_000
                negative: -5
                big: 123456789012345678901234567890
                float: 1.5
                tilde: ~
                null: null
                empty:
                double: "80"
                single: '80'
                time: 2026-03-01T10:00:00Z
                text: plain text
                str: !!str 80
                int: !!int "42"
                80: port
                """);

        assertThat(doc).isEqualTo(json("""
                {"true": true, "false": false, "hex": 31, "octal": 8, "grouped": 1000, "negative": -5,
                 "big": 123456789012345678901234567890, "float": 1.5, "tilde": null, "null": null, "empty": null,
                 "double": "80", "single": "80", "time": "2026-03-01T10:00:00Z", "text": "plain text",
                 "str": "80", "int": 42, "80": "port"}
                """));
    }

    @Test
    void anchorsAliasesAndMergeKeys() throws YamlSyntaxException {
        JsonObject doc = single("""
                base: &base {x: 1, y: 2}
                other: &other {y: 20, z: 30}
                copy: *base
                merged:
                  <<: *base
                  y: 3
                both:
                  <<: [*base, *other]
                  w: 0
                """);

        assertThat(doc.get("copy")).isEqualTo(json("{\"x\": 1, \"y\": 2}"));
        assertThat(doc.get("merged")).isEqualTo(json("{\"x\": 1, \"y\": 3}"));
        assertThat(doc.get("both")).isEqualTo(json("{\"x\": 1, \"y\": 2, \"z\": 30, \"w\": 0}"));
    }

    @Test
    void documentsArriveInOrderAndEmptyOnesAsNull() throws YamlSyntaxException {
        Recorder recorder = read("a: 1\n---\n---\n- b\n---\nc\n");

        assertThat(recorder.events).containsExactly("document {\"a\":1}", "document null", "document [\"b\"]",
                "document \"c\"");
    }

    @Test
    void theItemsOfATopLevelListAreStreamedOneByOne() throws YamlSyntaxException {
        Recorder recorder = read("""
                apiVersion: v1
                items:
                - {kind: Service, n: 1}
                - kind: Service
                  n: 2
                  spec: {items: [nested]}
                kind: List
                metadata: {}
                ---
                kind: List
                items: [{n: 3}]
                """);

        assertThat(recorder.events).containsExactly(
                "item {\"kind\":\"Service\",\"n\":1}",
                "item {\"kind\":\"Service\",\"n\":2,\"spec\":{\"items\":[\"nested\"]}}",
                "document {\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{}}",
                "item {\"n\":3}",
                "document {\"kind\":\"List\"}");
    }

    @Test
    void itemsThatAreNotAPlainListStayInTheDocument() throws YamlSyntaxException {
        Recorder recorder = read("""
                kind: List
                items: {not: a list}
                ---
                kind: List
                items: &anchored [1]
                copy: *anchored
                """);

        assertThat(recorder.events).containsExactly(
                "document {\"kind\":\"List\",\"items\":{\"not\":\"a list\"}}",
                "document {\"kind\":\"List\",\"items\":[1],\"copy\":[1]}");
    }

    @Test
    void syntaxErrorsSayWhereAndWhat() {
        assertThatThrownBy(() -> read("kind: Service\nmetadata: {name: [unclosed\n"))
                .isInstanceOf(YamlSyntaxException.class)
                .hasMessageStartingWith("line 3, column 1: ")
                .hasMessageNotContaining("Exception").hasMessageNotContaining("java");
        assertThatThrownBy(() -> read("a: b\n\tc: d\n"))
                .hasMessageStartingWith("line 2, column 1: ").hasMessageContaining("\\t");
    }

    @Test
    void charactersYamlForbidsAreRefusedWithTheirPlace() {
        assertThatThrownBy(() -> read("a: 1\nb: x\u0007y\n"))
                .isInstanceOf(YamlSyntaxException.class)
                .hasMessage("line 2, column 5: character U+0007 is not allowed in YAML");
    }

    @Test
    void structuresJsonCannotHoldAreRefused() {
        assertThatThrownBy(() -> read("? [a, b]\n: c\n")).hasMessageContaining("a mapping key must be a scalar");
        assertThatThrownBy(() -> read("a: &x [1, *x]\n")).hasMessageContaining("alias *x refers to itself");
        assertThatThrownBy(() -> read("a: *nowhere\n")).hasMessageStartingWith("line 1, column 4: ")
                .hasMessageContaining("undefined alias *nowhere");
        assertThatThrownBy(() -> read("a: !!int twelve\n")).hasMessageContaining("\"twelve\" is not a valid !!int");
        assertThatThrownBy(() -> read("a: {<<: 5}\n")).hasMessageContaining("merge key");
    }

    @Test
    void exponentialAliasesAndDeepNestingAreRefused() {
        StringBuilder bomb = new StringBuilder("a: &a [x]\n");
        String previous = "a";
        for (int i = 0; i < 10; i++) {
            String name = "l" + i;
            bomb.append(name).append(": &").append(name).append(" [")
                    .append(("*" + previous + ", ").repeat(9)).append("*").append(previous).append("]\n");
            previous = name;
        }
        assertThatThrownBy(() -> read(bomb.toString())).hasMessageContaining("more than 50 aliases");

        String deep = "[".repeat(YamlDocuments.MAX_DEPTH + 1) + "]".repeat(YamlDocuments.MAX_DEPTH + 1);
        assertThatThrownBy(() -> read(deep)).hasMessageContaining("nested deeper than " + YamlDocuments.MAX_DEPTH);
    }

    @Test
    void textOutsideTheBasicPlaneIsRead() throws YamlSyntaxException {
        JsonObject doc = single("note: \"caf\u00e9 \ud83d\ude80\"\nnext: 1\n");

        assertThat(doc.get("note").getAsString()).isEqualTo("caf\u00e9 \ud83d\ude80");
        assertThat(doc.get("next").getAsInt()).isEqualTo(1);
    }

    @Test
    void jsonIsYaml() throws YamlSyntaxException {
        assertThat(single("{\"a\": [1, 2.5, true, null, \"s\"], \"b\": {}}"))
                .isEqualTo(json("{\"a\": [1, 2.5, true, null, \"s\"], \"b\": {}}"));
    }
}
