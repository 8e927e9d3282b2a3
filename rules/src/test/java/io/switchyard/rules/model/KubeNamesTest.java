package io.switchyard.rules.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The API server's name grammars, row by row: what each accepts and what it refuses. */
class KubeNamesTest {

    private static final String L63 = "a".repeat(63);
    private static final String L64 = "a".repeat(64);

    @ParameterizedTest(name = "\"{0}\": label {1}, subdomain {2}, label value {3}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "web               | true  | true  | true",
            "1web              | true  | true  | true",
            "web-1             | true  | true  | true",
            "8080              | true  | true  | true",
            "a                 | true  | true  | true",
            "''                | false | false | true",
            "NULL              | false | false | false",
            "-web              | false | false | false",
            "web-              | false | false | false",
            "Web               | false | false | true",
            "web_1             | false | false | true",
            "web.v1            | false | true  | true",
            "web..v1           | false | false | true",
            ".web              | false | false | false",
            "web.              | false | false | false",
            "web.-v1           | false | false | true",
            "'web 1'           | false | false | false",
            "'web\"'           | false | false | false",
            "wéb               | false | false | false",
            "Zone_A.1          | false | false | true",
            "_zone             | false | false | false",
    })
    void grammars(String value, boolean label, boolean subdomain, boolean labelValue) {
        assertThat(KubeNames.isDnsLabel(value)).as("DNS label").isEqualTo(label);
        assertThat(KubeNames.isDnsSubdomain(value)).as("DNS subdomain").isEqualTo(subdomain);
        assertThat(KubeNames.isLabelValue(value)).as("label value").isEqualTo(labelValue);
    }

    @ParameterizedTest(name = "length {0}")
    @CsvSource({"63, true", "64, false"})
    void labelsAndLabelValuesHoldAtMost63Characters(int length, boolean valid) {
        String value = "a".repeat(length);
        assertThat(KubeNames.isDnsLabel(value)).isEqualTo(valid);
        assertThat(KubeNames.isLabelValue(value)).isEqualTo(valid);
        assertThat(KubeNames.isDnsSubdomain(value)).isTrue();
    }

    @ParameterizedTest(name = "length {0}")
    @CsvSource({"253, true", "254, false"})
    void subdomainsHoldAtMost253CharactersWhateverTheirParts(int length, boolean valid) {
        StringBuilder value = new StringBuilder(L63 + "." + L63 + "." + L63 + ".");
        while (value.length() < length) {
            value.append('b');
        }
        assertThat(KubeNames.isDnsSubdomain(value.toString())).isEqualTo(valid);
        assertThat(KubeNames.isDnsSubdomain(L64 + ".a")).isTrue();
    }
}
