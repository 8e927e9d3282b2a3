package io.switchyard.ipvs.plan;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** kube-ipvs0 gains the missing service addresses and loses the stale ones. */
class AddressPlanTest {

    @Test
    void bindsWhatIsMissingAndUnbindsWhatIsStale() {
        AddressPlan plan = AddressPlan.of(List.of("10.96.0.1", "10.96.0.10", "192.0.2.30"),
                List.of("10.96.0.10", "10.96.0.99", "10.96.0.1"));
        assertThat(plan.bind()).containsExactly("192.0.2.30");
        assertThat(plan.unbind()).containsExactly("10.96.0.99");
    }

    @Test
    void nothingChangesWhenTheInterfaceMatches() {
        AddressPlan plan = AddressPlan.of(List.of("10.96.0.1"), List.of("10.96.0.1"));
        assertThat(plan.bind()).isEmpty();
        assertThat(plan.unbind()).isEmpty();
    }
}
