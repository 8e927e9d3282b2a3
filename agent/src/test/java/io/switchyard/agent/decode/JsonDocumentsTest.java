package io.switchyard.agent.decode;

import com.google.gson.JsonElement;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.switchyard.agent.decode.JsonTrees.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON fast path: the same trees as the YAML reader gives for JSON, items streamed, strict JSON only. */
class JsonDocumentsTest {

    private final List<String> events = new ArrayList<>();
    private final YamlDocuments.Sink sink = new YamlDocuments.Sink() {
        @Override
        public void item(JsonElement item) {
            events.add("item " + item);
        }

        @Override
        public void document(JsonElement document) {
            events.add("document " + document);
        }
    };

    @Test
    void givesWhatTheYamlReaderGivesForJson() throws IOException, YamlSyntaxException {
        String text = """
                {"apiVersion": "v1", "kind": "List",
                 "items": [{"kind": "Service", "port": 80, "ratio": 1.5, "on": true, "none": null, "s": "yes"},
                           {"kind": "Node", "nested": {"items": [1, 2]}}],
                 "metadata": {"resourceVersion": ""}}
                """;
        List<String> fromYaml = new ArrayList<>();
        YamlDocuments.read(text, "test.json", new YamlDocuments.Sink() {
            @Override
            public void item(JsonElement item) {
                fromYaml.add("item " + item);
            }

            @Override
            public void document(JsonElement document) {
                fromYaml.add("document " + document);
            }
        });

        JsonDocuments.read(text, sink);

        assertThat(events).isEqualTo(fromYaml).containsExactly(
                "item {\"kind\":\"Service\",\"port\":80,\"ratio\":1.5,\"on\":true,\"none\":null,\"s\":\"yes\"}",
                "item {\"kind\":\"Node\",\"nested\":{\"items\":[1,2]}}",
                "document {\"apiVersion\":\"v1\",\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}");
    }

    @Test
    void aDocumentThatIsNotAnObjectIsDeliveredWhole() throws IOException {
        JsonDocuments.read(" [1, {\"a\": 2}] ", sink);

        assertThat(events).containsExactly("document " + json("[1, {\"a\": 2}]"));
    }

    @Test
    void anythingButOneStrictJsonDocumentIsLeftToTheYamlReader() {
        assertThatThrownBy(() -> JsonDocuments.read("{\"kind\": Service}", sink)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JsonDocuments.read("{\"a\": 1} {\"b\": 2}", sink)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> JsonDocuments.read("{\"a\": [1, 2}", sink)).isInstanceOf(IOException.class);
        assertThat(JsonDocuments.looksLikeJson("  \n{\"a\": 1}")).isTrue();
        assertThat(JsonDocuments.looksLikeJson("[1]")).isTrue();
        assertThat(JsonDocuments.looksLikeJson("kind: Service")).isFalse();
        assertThat(JsonDocuments.looksLikeJson("# {\"a\": 1}")).isFalse();
    }
}
