package io.switchyard.agent.config;

import java.time.Duration;

/**
 * The conntrack section of kube-proxy's configuration: the sysctls set at start-up. As in
 * kube-proxy, a zero leaves that sysctl as it is ({@code maxPerCore} 0 leaves
 * {@code nf_conntrack_max} alone and ignores {@code min}).
 */
public record ConntrackSettings(int maxPerCore, int min, Duration tcpEstablishedTimeout, Duration tcpCloseWaitTimeout,
                                boolean tcpBeLiberal, Duration udpTimeout, Duration udpStreamTimeout) {

    /** kube-proxy v1.32's defaults: 32768 per core, at least 131072, established 24h, close-wait 1h. */
    public static ConntrackSettings defaults() {
        return new ConntrackSettings(32 * 1024, 128 * 1024, Duration.ofHours(24), Duration.ofHours(1), false,
                Duration.ZERO, Duration.ZERO);
    }

    /** Nothing to set: every sysctl left as it is. */
    public static ConntrackSettings leaveAlone() {
        return new ConntrackSettings(0, 0, Duration.ZERO, Duration.ZERO, false, Duration.ZERO, Duration.ZERO);
    }

    /** The {@code nf_conntrack_max} to set on a machine with this many CPUs, or 0 for none: maxPerCore x cpus, at least min. */
    public long maxFor(int cpus) {
        if (maxPerCore <= 0) {
            return 0;
        }
        return Math.max((long) maxPerCore * cpus, min);
    }
}
