package io.switchyard.ipvs;

/**
 * IPVS's global connection timeouts in seconds, what kube-proxy's {@code --ipvs-tcp-timeout},
 * {@code --ipvs-tcpfin-timeout} and {@code --ipvs-udp-timeout} set. When setting, 0 leaves a
 * timeout unchanged.
 */
public record IpvsTimeouts(int tcpSeconds, int tcpFinSeconds, int udpSeconds) {

    public IpvsTimeouts {
        if (tcpSeconds < 0 || tcpFinSeconds < 0 || udpSeconds < 0) {
            throw new IllegalArgumentException("IPVS timeouts must not be negative: tcp " + tcpSeconds + ", tcpfin "
                    + tcpFinSeconds + ", udp " + udpSeconds);
        }
    }

    /** These timeouts where {@code update} sets one (non-zero), as the kernel applies a set. */
    public IpvsTimeouts updatedBy(IpvsTimeouts update) {
        return new IpvsTimeouts(update.tcpSeconds != 0 ? update.tcpSeconds : tcpSeconds,
                update.tcpFinSeconds != 0 ? update.tcpFinSeconds : tcpFinSeconds,
                update.udpSeconds != 0 ? update.udpSeconds : udpSeconds);
    }
}
