package io.switchyard.rules.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Values quoted into messages stay on one line, in ASCII, and short. */
class PrintableTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "web                         | \"web\"",
            "'a b'                       | \"a b\"",
    })
    void plainValuesAreQuotedAsTheyAre(String value, String expected) {
        assertThat(Printable.quote(value)).isEqualTo(expected);
    }

    @Test
    void quotesBackslashesControlAndNonAsciiCharactersAreEscaped() {
        assertThat(Printable.quote("x\n-A INPUT -j DROP\n#")).isEqualTo("\"x\\n-A INPUT -j DROP\\n#\"");
        assertThat(Printable.quote("a\"b\\c\td\r\0")).isEqualTo("\"a\\\"b\\\\c\\td\\r\\u0000\"");
        assertThat(Printable.quote("wéb\u2028\uD800")).isEqualTo("\"w\\u00e9b\\u2028\\ud800\"");
        assertThat(Printable.quote(null)).isEqualTo("null");
    }

    @Test
    void longValuesAreCutAndCounted() {
        String quoted = Printable.quote("x".repeat(5000));

        assertThat(quoted).isEqualTo("\"" + "x".repeat(Printable.MAX_SHOWN) + "\"... (5000 characters)");
    }

    @Test
    void oneLineEscapesOnlyWhatWouldBreakALine() {
        assertThat(Printable.oneLine("Service demo/web: fine")).isEqualTo("Service demo/web: fine");
        assertThat(Printable.oneLine("a\nb\rc\u2028d\u0085e")).isEqualTo("a\\nb\\rc\\u2028d\\u0085e");
        assertThat(Printable.oneLine("wéb \"quoted\"")).isEqualTo("wéb \"quoted\"");
    }
}
