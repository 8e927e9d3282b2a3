package io.switchyard.rules.iptables;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A detector's CIDR or interface name is written into rules as one word: anything else is refused. */
class LocalTrafficDetectorTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "br 0", "br0\n-A INPUT -j DROP", "br\"0", "br0+", "a/b", "a:b", ".", "..", "!br0",
            "-br0", "sixteen-chars-xx", "wéb"})
    void aBridgeNameLinuxOrIptablesWouldRefuseIsRefused(String name) {
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalTrafficDetector.ByBridge(name))
                .withMessageStartingWith("pod bridge interface ").withMessageNotContaining("\n");
        assertThat(LocalTrafficDetector.interfaceNameProblem(name, false)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cbr0", "br-1a2b3c4d5e6f", "veth.100", "docker0", "fifteen-chars-x"})
    void realInterfaceNamesAreAccepted(String name) {
        assertThat(new LocalTrafficDetector.ByBridge(name).ifLocal()).isEqualTo("-i " + name);
    }

    @Test
    void aPrefixLeavesRoomForTheWildcard() {
        assertThat(new LocalTrafficDetector.ByInterfacePrefix("fourteen-chars").ifNotLocal())
                .isEqualTo("! -i fourteen-chars+");
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalTrafficDetector.ByInterfacePrefix("fifteen-chars-x"));
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalTrafficDetector.ByInterfacePrefix("veth +"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8 -j DROP", " 10.0.0.0/8", "10.0.0.1/8", "10.0.0.0", "x", "FD00::/8"})
    void aCidrMustBeCanonical(String cidr) {
        assertThatIllegalArgumentException().isThrownBy(() -> new LocalTrafficDetector.ByCidr(cidr));
    }

    @Test
    void aCanonicalCidrIsAccepted() {
        assertThat(new LocalTrafficDetector.ByCidr("fd00::/8").ifLocal()).isEqualTo("-s fd00::/8");
    }
}
