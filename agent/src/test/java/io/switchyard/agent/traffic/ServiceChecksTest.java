package io.switchyard.agent.traffic;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ServiceChecks against kube-proxy v1.32's recorded rules, so the k3s test's assertions are known to work. */
class ServiceChecksTest {

    private static String golden() throws IOException {
        try (InputStream in = ServiceChecksTest.class.getResourceAsStream(
                "/golden/kube-proxy-v1.32/03-clusterip-3-endpoints.iptables-save")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aProgrammedServicePasses() throws IOException {
        assertThatCode(() -> ServiceChecks.assertProgrammed(golden(), "default/web:http", "10.96.1.3", 80, 3))
                .doesNotThrowAnyException();
    }

    @Test
    void aWrongEndpointCountIPOrPortFails() throws IOException {
        String rules = golden();
        assertThatThrownBy(() -> ServiceChecks.assertProgrammed(rules, "default/web:http", "10.96.1.3", 80, 2))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ServiceChecks.assertProgrammed(rules, "default/web:http", "10.96.1.4", 80, 3))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ServiceChecks.assertProgrammed(rules, "default/web:http", "10.96.1.3", 8080, 3))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ServiceChecks.assertProgrammed(rules.replace("*nat", "*raw"), "default/web:http",
                "10.96.1.3", 80, 3)).isInstanceOf(AssertionError.class);
    }

    @Test
    void trafficMustReachEveryBackendWithoutFailures() {
        TrafficResult good = new TrafficResult(Map.of("a", 5, "b", 4), Map.of(), 0, 0, 0, 0, 9, 10, null);
        TrafficResult oneMissing = new TrafficResult(Map.of("a", 9), Map.of(), 0, 0, 0, 0, 9, 10, null);
        TrafficResult oneFailed = new TrafficResult(Map.of("a", 5, "b", 3), Map.of(), 0, 0, 1, 0, 9, 10, "timeout");

        assertThatCode(() -> ServiceChecks.assertReachedEveryBackend(good, List.of("a", "b"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> ServiceChecks.assertReachedEveryBackend(oneMissing, List.of("a", "b")))
                .isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> ServiceChecks.assertReachedEveryBackend(oneFailed, List.of("a", "b")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("timeout");
    }
}
