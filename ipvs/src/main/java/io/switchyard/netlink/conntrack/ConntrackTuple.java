package io.switchyard.netlink.conntrack;

/**
 * One direction of a tracked flow: addresses, protocol and ports as the kernel keys it. ICMP
 * tuples have no ports (0 here).
 *
 * @param protocol IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, ...)
 */
public record ConntrackTuple(String source, String destination, int protocol, int sourcePort, int destinationPort) {

    @Override
    public String toString() {
        return "proto " + protocol + " src=" + source + " dst=" + destination + " sport=" + sourcePort + " dport="
                + destinationPort;
    }
}
