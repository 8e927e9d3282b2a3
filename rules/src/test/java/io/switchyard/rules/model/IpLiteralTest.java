package io.switchyard.rules.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** IP literals feed chain-name hashes, so their canonical spelling must match Go's (RFC 5952) exactly. */
class IpLiteralTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.0.0.1,                      10.0.0.1",
            "0.0.0.0,                       0.0.0.0",
            "255.255.255.255,               255.255.255.255",
            "fd00:0:0:0:0:0:0:1,            fd00::1",
            "2001:db8:0:0:1:0:0:1,          2001:db8::1:0:0:1",
            "2001:db8:0:0:0:1:0:0,          2001:db8::1:0:0",
            "2001:db8:0:1:1:1:1:1,          2001:db8:0:1:1:1:1:1",
            "::,                            ::",
            "::1,                           ::1",
            "fd00::,                        fd00::",
            "FD00::A,                       fd00::a",
            "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    })
    void canonicalSpelling(String literal, String expected) {
        assertThat(IpLiteral.canonical(literal)).isEqualTo(expected);
    }

    @Test
    void longerLaterZeroRunWinsOverShorterEarlierOne() {
        assertThat(IpLiteral.canonical("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[::1]", "example.com", "localhost", "1.2.3", "1.2.3.4.5", "", "   ", "1.2.3.256", "10.0.0.1/8",
            "fe80::1%eth0", "::g", "1::2::3"})
    void nonLiteralsAreRejectedWithoutResolving(String text) {
        assertThat(IpLiteral.parse(text)).isNull();
        assertThat(IpLiteral.familyOf(text)).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> IpLiteral.canonical(text));
    }

    @Test
    void nullIsNotALiteral() {
        assertThat(IpLiteral.parse(null)).isNull();
        assertThat(IpLiteral.familyOf(null)).isNull();
    }

    @Test
    void familyFollowsTheLiteral() {
        assertThat(IpLiteral.familyOf("10.0.0.1")).isEqualTo(IpFamily.IPV4);
        assertThat(IpLiteral.familyOf("fd00::1")).isEqualTo(IpFamily.IPV6);
        assertThat(IpLiteral.familyOf("::")).isEqualTo(IpFamily.IPV6);
    }

    @Test
    void parseReturnsNetworkOrderBytes() {
        assertThat(IpLiteral.parse("10.1.2.254")).containsExactly(10, 1, 2, (byte) 254);
        assertThat(IpLiteral.parse("fd00::1")).hasSize(16).startsWith((byte) 0xfd, 0).endsWith(0, 1);
    }

    @Test
    void formatRejectsAddressesOfOtherLengths() {
        assertThatIllegalArgumentException().isThrownBy(() -> IpLiteral.format(new byte[5]));
    }

    @Test
    void loopbackCoversTheWhole127Network() {
        assertThat(IpLiteral.isLoopback("127.0.0.1")).isTrue();
        assertThat(IpLiteral.isLoopback("127.255.0.9")).isTrue();
        assertThat(IpLiteral.isLoopback("::1")).isTrue();
        assertThat(IpLiteral.isLoopback("10.0.0.1")).isFalse();
        assertThat(IpLiteral.isLoopback("localhost")).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\" canonical: {1}")
    @CsvSource(delimiter = '|', value = {
            "10.0.0.1                 | true",
            "0.0.0.0                  | true",
            "255.255.255.255          | true",
            "fd00::1                  | true",
            "::                       | true",
            "010.0.0.1                | false",
            "10.0.0.01                | false",
            "10.0.0.256               | false",
            "10.0.0                   | false",
            "10.0.0.1.                | false",
            "10..0.1                  | false",
            "' 10.0.0.1'              | false",
            "FD00::1                  | false",
            "fd00:0::1                | false",
            "::ffff:10.0.0.1          | false",
            "''                       | false",
            "'10.0.0.1\n'             | false",
    })
    void canonicalFormIsRecognisedExactly(String text, boolean canonical) {
        assertThat(IpLiteral.isCanonical(text)).isEqualTo(canonical);
        if (canonical) {
            assertThat(IpLiteral.canonical(text)).isEqualTo(text);
        }
    }
}
