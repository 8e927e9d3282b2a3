package io.switchyard.agent.config;

import io.switchyard.rules.model.Cidr;

import java.time.Duration;
import java.util.List;

/**
 * The ipvs section of kube-proxy's configuration, validated. Timeouts of zero leave the kernel's
 * values as they are. The ipvs sync periods are {@link ProxySettings#syncPeriod()} and
 * {@link ProxySettings#minSyncPeriod()} when the mode is ipvs.
 *
 * @param scheduler    the IPVS scheduler (kube-proxy's default {@code rr})
 * @param excludeCidrs virtual servers in these ranges are never removed by cleanup
 * @param strictArp    set arp_ignore=1 and arp_announce=2 so kube-ipvs0's addresses are not announced
 */
public record IpvsSettings(String scheduler, List<Cidr> excludeCidrs, boolean strictArp, Duration tcpTimeout,
                           Duration tcpFinTimeout, Duration udpTimeout) {

    public IpvsSettings {
        excludeCidrs = List.copyOf(excludeCidrs);
    }

    /** kube-proxy's defaults: rr, nothing excluded, no strict ARP, kernel timeouts left alone. */
    public static IpvsSettings defaults() {
        return new IpvsSettings("rr", List.of(), false, Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }
}
