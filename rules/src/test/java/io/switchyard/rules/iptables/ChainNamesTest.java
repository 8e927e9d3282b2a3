package io.switchyard.rules.iptables;

import io.switchyard.rules.model.Endpoint;
import io.switchyard.rules.model.Protocol;
import io.switchyard.rules.model.ServicePortName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Chain names must match kube-proxy's byte for byte, or both proxies fight over the same tables. */
class ChainNamesTest {

    private static final ServicePortName NS1_SVC1_P80 = new ServicePortName("ns1", "svc1", "p80", Protocol.TCP);

    private static ServicePortName tcp(String namespace, String name, String port) {
        return new ServicePortName(namespace, name, port, Protocol.TCP);
    }

    @Test
    void servicePortMatchesKubeProxyVector() {
        assertThat(ChainNames.servicePort(NS1_SVC1_P80)).isEqualTo("KUBE-SVC-XPGD46QRK7WJZT7O");
    }

    @Test
    void endpointMatchesKubeProxyVector() {
        Endpoint endpoint = Endpoint.ready("10.180.0.1", 80, "node", "zone");

        assertThat(ChainNames.endpoint(NS1_SVC1_P80, endpoint)).isEqualTo("KUBE-SEP-SXIVWICOYRO3J4NJ");
    }

    @ParameterizedTest(name = "{0}/{1}:{2} -> {3}")
    @CsvSource({
            "default, np,       http,  KUBE-SVC-QUMPV5Z3SF2IMFUJ",
            "default, np2,      http,  KUBE-SVC-GJU4AYD7QNARWGWN",
            "default, np2,      https, KUBE-SVC-QCGZR5BP2TBO72AV",
            "default, lb-local, http,  KUBE-SVC-36SRL3I7JZKMDG5Q",
    })
    void servicePortMatchesRealKubeProxyOutput(String namespace, String name, String port, String expected) {
        assertThat(ChainNames.servicePort(tcp(namespace, name, port))).isEqualTo(expected);
    }

    @Test
    void externalChainSharesTheServiceHashWithItsOwnPrefix() {
        assertThat(ChainNames.external(tcp("default", "np", "http"))).isEqualTo("KUBE-EXT-QUMPV5Z3SF2IMFUJ");
    }

    @Test
    void localServiceChainSharesTheServiceHashWithItsOwnPrefix() {
        assertThat(ChainNames.servicePortLocal(tcp("default", "lb-local", "http")))
                .isEqualTo("KUBE-SVL-36SRL3I7JZKMDG5Q");
    }

    @Test
    void firewallChainSharesTheServiceHashWithItsOwnPrefix() {
        assertThat(ChainNames.firewall(tcp("default", "lb-local", "http")))
                .isEqualTo("KUBE-FW-36SRL3I7JZKMDG5Q");
    }

    @ParameterizedTest(name = "{0}/{1}:{2} @ {3}:{4} -> {5}")
    @CsvSource({
            "default, np,  http, 10.244.1.80,  8080, KUBE-SEP-W2K2M7SYYSK2EMKQ",
            "default, np,  http, 10.244.2.80,  8080, KUBE-SEP-N66E6JHP5GTR4HUP",
            "default, web, http, 10.244.1.170, 8080, KUBE-SEP-5ZRBR447TFXAYLKT",
    })
    void endpointMatchesRealKubeProxyOutput(String namespace, String name, String port, String ip, int targetPort,
                                            String expected) {
        Endpoint endpoint = Endpoint.ready(ip, targetPort, "some-node", "some-zone");

        assertThat(ChainNames.endpoint(tcp(namespace, name, port), endpoint)).isEqualTo(expected);
    }

    @Test
    void endpointNameDependsOnlyOnAddressNotOnPlacementOrConditions() {
        Endpoint ready = Endpoint.ready("10.244.1.80", 8080, "node-a", "zone-a");
        Endpoint terminatingElsewhere = new Endpoint("10.244.1.80", 8080, "node-b", "zone-b",
                false, true, true, Set.of("zone-b"), Set.of());

        assertThat(ChainNames.endpoint(tcp("default", "np", "http"), terminatingElsewhere))
                .isEqualTo(ChainNames.endpoint(tcp("default", "np", "http"), ready));
    }

    @Test
    void referenceHashReproducesTheKubeProxyVectors() {
        // Guards the independent oracle used below, so that it cannot silently agree with a wrong implementation.
        assertThat(referenceHash("ns1/svc1:p80tcp")).isEqualTo("XPGD46QRK7WJZT7O");
        assertThat(referenceHash("ns1/svc1:p80tcp10.180.0.1:80")).isEqualTo("SXIVWICOYRO3J4NJ");
    }

    @Test
    void unnamedPortHashesAsNamespaceSlashName() {
        ServicePortName unnamed = tcp("ns1", "svc1", "");

        assertThat(unnamed.toString()).isEqualTo("ns1/svc1");
        assertThat(ChainNames.servicePort(unnamed))
                .isEqualTo("KUBE-SVC-" + referenceHash("ns1/svc1tcp"))
                .isNotEqualTo("KUBE-SVC-" + referenceHash("ns1/svc1:tcp"));
    }

    @Test
    void protocolIsPartOfTheHash() {
        ServicePortName udp = new ServicePortName("ns1", "svc1", "p80", Protocol.UDP);

        assertThat(ChainNames.servicePort(udp))
                .isEqualTo("KUBE-SVC-" + referenceHash("ns1/svc1:p80udp"))
                .isNotEqualTo(ChainNames.servicePort(NS1_SVC1_P80));
        Endpoint endpoint = Endpoint.ready("10.180.0.1", 80, "node", "zone");
        assertThat(ChainNames.endpoint(udp, endpoint)).isNotEqualTo(ChainNames.endpoint(NS1_SVC1_P80, endpoint));
    }

    @Test
    void ipv6EndpointHashesTheBracketedHostPort() {
        Endpoint endpoint = Endpoint.ready("fd00:10:244::5", 8080, "node", "zone");

        assertThat(endpoint.hostPort()).isEqualTo("[fd00:10:244::5]:8080");
        assertThat(ChainNames.endpoint(NS1_SVC1_P80, endpoint))
                .isEqualTo("KUBE-SEP-" + referenceHash("ns1/svc1:p80tcp[fd00:10:244::5]:8080"));
    }

    @Test
    void everyNameIsPrefixPlusSixteenBase32CharactersAndFitsIptablesLimit() {
        Endpoint endpoint = Endpoint.ready("fd00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "n", "z");
        ServicePortName longName = new ServicePortName("a-very-long-namespace-name", "an-even-longer-service-name",
                "a-long-port-name", Protocol.SCTP);
        List<Function<ServicePortName, String>> namers = List.of(ChainNames::servicePort,
                ChainNames::servicePortLocal, ChainNames::external, ChainNames::firewall,
                name -> ChainNames.endpoint(name, endpoint));

        for (ServicePortName name : List.of(NS1_SVC1_P80, longName)) {
            for (Function<ServicePortName, String> namer : namers) {
                String chain = namer.apply(name);
                assertThat(chain).hasSizeLessThanOrEqualTo(28).matches("KUBE-(SVC|SVL|EXT|FW|SEP)-[A-Z2-7]{16}");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"KUBE-SVC-XPGD46QRK7WJZT7O", "KUBE-SVL-36SRL3I7JZKMDG5Q", "KUBE-EXT-QUMPV5Z3SF2IMFUJ",
            "KUBE-FW-36SRL3I7JZKMDG5Q", "KUBE-SEP-SXIVWICOYRO3J4NJ"})
    void perServiceChainsAreServiceChains(String chain) {
        assertThat(ChainNames.isServiceChain(chain)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-MARK-MASQ", "KUBE-POSTROUTING",
            "KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-PROXY-FIREWALL", "KUBE-SVC"})
    void fixedKubeProxyChainsAreNotServiceChains(String chain) {
        assertThat(ChainNames.isServiceChain(chain)).isFalse();
    }

    /**
     * An implementation independent of ChainNames: the first 80 bits of SHA-256 as a base-32 number,
     * re-spelled in the RFC 4648 alphabet (which is what the first 16 base32 characters are).
     */
    private static String referenceHash(String input) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        String digits = new BigInteger(1, Arrays.copyOf(digest, 10)).toString(32);
        String padded = "0".repeat(16 - digits.length()) + digits;
        StringBuilder out = new StringBuilder(16);
        for (char c : padded.toCharArray()) {
            out.append("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".charAt(Character.digit(c, 32)));
        }
        return out.toString();
    }
}
