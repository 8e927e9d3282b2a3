package io.switchyard.ipvs.desired;

import io.switchyard.ipvs.Schedulers;
import io.switchyard.rules.iptables.LocalTrafficDetector;
import io.switchyard.rules.model.IpFamily;

import java.util.Objects;

/**
 * The settings that shape one family's ipvs-mode state, fixed for the proxier's lifetime.
 *
 * @param scheduler            the IPVS scheduler ({@code --ipvs-scheduler}); empty means {@code rr}
 * @param masqueradeBit        the fwmark bit that asks for SNAT (kube-proxy default 14)
 * @param masqueradeAll        SNAT all traffic to cluster IPs, not only off-cluster sources
 * @param localDetector        how pod-originated traffic is recognised
 * @param preferSameNodeHints  honour {@code hints.forNodes} (PreferSameTrafficDistribution)
 */
public record IpvsConfig(IpFamily family, String scheduler, int masqueradeBit, boolean masqueradeAll,
                         LocalTrafficDetector localDetector, boolean preferSameNodeHints) {

    /** Source-port hashing, which the {@code mh} scheduler needs ({@code IP_VS_SVC_F_SCHED_SH_PORT}). */
    public static final int SOURCE_HASH_FLAG = 0x10;

    public IpvsConfig {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(localDetector, "localDetector");
        scheduler = Schedulers.resolve(scheduler);
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw new IllegalArgumentException("masquerade bit must be in 0..31, got " + masqueradeBit);
        }
    }

    /** kube-proxy's defaults for a family, given how to detect local traffic. */
    public static IpvsConfig defaults(IpFamily family, LocalTrafficDetector detector) {
        return new IpvsConfig(family, Schedulers.DEFAULT, 14, false, detector, false);
    }

    /** The extra virtual-server flags the scheduler needs. */
    public int schedulerFlags() {
        return scheduler.equals("mh") ? SOURCE_HASH_FLAG : 0;
    }
}
