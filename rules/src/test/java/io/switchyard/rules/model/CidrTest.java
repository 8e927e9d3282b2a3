package io.switchyard.rules.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** CIDRs are printed into rules, so they must be masked and spelled the way kube-proxy prints them. */
class CidrTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10.1.2.3/8,          10.0.0.0/8",
            "10.1.2.3/32,         10.1.2.3/32",
            "192.168.77.130/25,   192.168.77.128/25",
            "1.2.3.4/0,           0.0.0.0/0",
            "fd00:1:2:3::1234/64, fd00:1:2:3::/64",
            "FD00:0:0:0:0:0:0:1/128, fd00::1/128",
            "fd00::1/0,           ::/0",
    })
    void parseMasksToTheNetworkAndPrintsCanonically(String text, String expected) {
        assertThat(Cidr.parse(text).toString()).isEqualTo(expected);
    }

    @Test
    void maskedAndUnmaskedSpellingsAreEqual() {
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"))
                .hasSameHashCodeAs(Cidr.parse("10.0.0.0/8"))
                .isNotEqualTo(Cidr.parse("10.0.0.0/9"));
    }

    @Test
    void containsAddressesInsideTheNetworkOnly() {
        Cidr cidr = Cidr.parse("10.0.0.0/8");

        assertThat(cidr.contains("10.0.0.0")).isTrue();
        assertThat(cidr.contains("10.255.255.255")).isTrue();
        assertThat(cidr.contains("11.0.0.0")).isFalse();
        assertThat(cidr.contains("9.255.255.255")).isFalse();
    }

    @Test
    void containsRespectsNonOctetPrefixes() {
        Cidr cidr = Cidr.parse("192.168.77.128/25");

        assertThat(cidr.contains("192.168.77.128")).isTrue();
        assertThat(cidr.contains("192.168.77.255")).isTrue();
        assertThat(cidr.contains("192.168.77.127")).isFalse();
    }

    @Test
    void addressesOfTheOtherFamilyOrNonAddressesAreNeverContained() {
        assertThat(Cidr.parse("0.0.0.0/0").contains("fd00::1")).isFalse();
        assertThat(Cidr.parse("::/0").contains("10.0.0.1")).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains("example.com")).isFalse();
        assertThat(Cidr.parse("fd00::/8").contains("fd12::1")).isTrue();
    }

    @Test
    void familyAndZeroness() {
        assertThat(Cidr.parse("10.0.0.0/8").family()).isEqualTo(IpFamily.IPV4);
        assertThat(Cidr.parse("fd00::/8").family()).isEqualTo(IpFamily.IPV6);
        assertThat(Cidr.parse("0.0.0.0/0").isZero()).isTrue();
        assertThat(Cidr.parse("::/0").isZero()).isTrue();
        assertThat(Cidr.parse("0.0.0.0/1").isZero()).isFalse();
    }

    @Test
    void hostIsASingleAddressNetwork() {
        assertThat(Cidr.host("10.1.2.3").toString()).isEqualTo("10.1.2.3/32");
        assertThat(Cidr.host("fd00:0::1").toString()).isEqualTo("fd00::1/128");
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.host("example.com"));
    }

    @Test
    void networkBytesCannotBeChangedFromOutside() {
        Cidr cidr = Cidr.parse("10.0.0.0/8");

        cidr.network()[0] = 11;

        assertThat(cidr.toString()).isEqualTo("10.0.0.0/8");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/abc",
            "fd00::/129", "example.com/8", "/8", "1.2.3/8", "10.0.0.0/8/8", "10.0.0.0/+8", "10.0.0.0/-0"})
    void malformedCidrsAreRejected(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Cidr.parse(text));
    }
}
