package io.switchyard.agent.logging;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Logging: klog text lines and component-base-style JSON lines, filtered by -v, parsed back here. */
class LoggingTest {

    private static final System.Logger LOG = System.getLogger("io.switchyard.agent.sync.Example");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Logging.configure(0);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private void logOneOfEach() {
        LOG.log(System.Logger.Level.INFO, "SyncProxyRules complete ipFamily={0} fullSync={1} numServices={2} elapsed={3}",
                "IPv4", true, 12, "0.042s");
        LOG.log(System.Logger.Level.DEBUG, "Syncing iptables rules ipFamily={0}", "IPv6");
        LOG.log(System.Logger.Level.TRACE, "Restore input lines={0}", 57);
        LOG.log(System.Logger.Level.WARNING, "Sync failed; next sync is full");
        LOG.log(System.Logger.Level.ERROR, "Failed to execute iptables-restore", new IllegalStateException("exit status 4"));
    }

    @Test
    void jsonLinesCarryTsLevelMessageAndTheKeyValuePairsAsFields() {
        Logging.configure(new LoggingSettings(LogFormat.JSON, 0), out);
        logOneOfEach();

        List<JsonObject> objects = lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertThat(objects).hasSize(3);
        JsonObject info = objects.get(0);
        assertThat(info.get("ts").getAsDouble()).isGreaterThan(1.6e9);
        assertThat(info.get("v").getAsInt()).isZero();
        assertThat(info.get("caller").getAsString()).isEqualTo("Example");
        assertThat(info.get("msg").getAsString()).isEqualTo("SyncProxyRules complete");
        assertThat(info.get("ipFamily").getAsString()).isEqualTo("IPv4");
        assertThat(info.get("fullSync").getAsBoolean()).isTrue();
        assertThat(info.get("numServices").getAsInt()).isEqualTo(12);
        assertThat(info.get("elapsed").getAsString()).isEqualTo("0.042s");
        assertThat(objects.get(1).get("level").getAsString()).isEqualTo("warning");
        assertThat(objects.get(1).get("msg").getAsString()).isEqualTo("Sync failed; next sync is full");
        assertThat(objects.get(2).get("level").getAsString()).isEqualTo("error");
        assertThat(objects.get(2).get("err").getAsString()).isEqualTo("exit status 4");
    }

    @Test
    void verbosityTwoAddsDetailAndFourAddsDebugging() {
        Logging.configure(new LoggingSettings(LogFormat.JSON, 2), out);
        logOneOfEach();
        List<String> atTwo = lines();
        out.reset();
        Logging.configure(new LoggingSettings(LogFormat.JSON, 4), out);
        logOneOfEach();
        List<String> atFour = lines();

        assertThat(atTwo).hasSize(4).anySatisfy(l -> assertThat(l).contains("\"v\":2").contains("\"ipFamily\":\"IPv6\""));
        assertThat(atFour).hasSize(5).anySatisfy(l -> assertThat(l).contains("\"v\":4").contains("\"lines\":57"));
    }

    @Test
    void valuesWithSpacesQuotesAndBracketsStayWhole() {
        Logging.configure(new LoggingSettings(LogFormat.JSON, 0), out);
        LOG.log(System.Logger.Level.INFO, "Starting Switchyard proxyMode={0} node=\"{1}\" families={2}",
                "iptables", "node a", List.of("IPv4", "IPv6"));

        JsonObject line = JsonParser.parseString(lines().getFirst()).getAsJsonObject();
        assertThat(line.get("msg").getAsString()).isEqualTo("Starting Switchyard");
        assertThat(line.get("node").getAsString()).isEqualTo("node a");
        assertThat(line.get("families").getAsString()).isEqualTo("[IPv4, IPv6]");
    }

    @Test
    void controlCharactersAndQuotesAreEscaped() {
        Logging.configure(new LoggingSettings(LogFormat.JSON, 0), out);
        LOG.log(System.Logger.Level.INFO, "restore failed:\n\"line 3\"\tbad");

        JsonObject line = JsonParser.parseString(lines().getFirst()).getAsJsonObject();
        assertThat(line.get("msg").getAsString()).isEqualTo("restore failed:\n\"line 3\"\tbad");
    }

    @Test
    void textLinesAreKlogs() {
        Logging.configure(new LoggingSettings(LogFormat.TEXT, 0), out);
        logOneOfEach();

        assertThat(lines()).first().asString()
                .matches("I\\d{4} \\d{2}:\\d{2}:\\d{2}\\.\\d{6} +\\d+ Example\\] SyncProxyRules complete ipFamily=IPv4 .*");
        assertThat(lines()).filteredOn(l -> l.startsWith("W") || l.startsWith("E")).hasSize(2);
    }

    @Test
    void formatsParseAsKubeProxySpellsThem() {
        assertThat(LogFormat.parse("json")).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.parse("")).isEqualTo(LogFormat.TEXT);
        assertThatThrownBy(() -> LogFormat.parse("yaml")).hasMessageContaining("yaml");
    }
}
