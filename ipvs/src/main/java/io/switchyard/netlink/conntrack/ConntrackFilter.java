package io.switchyard.netlink.conntrack;

import io.switchyard.rules.model.IpLiteral;
import io.switchyard.rules.model.Protocol;

import java.util.Objects;

/**
 * Which conntrack entries to delete, in the shapes kube-proxy's stale-UDP cleanup needs: every
 * given field must match; an absent address ({@code null}) or port (0) matches anything.
 *
 * @param protocol                 required: TCP, UDP or SCTP
 * @param originalDestination      the address clients sent to (a service IP), or null
 * @param originalDestinationPort  the port clients sent to (service port or node port), or 0
 * @param replySource              the address answering (the endpoint a flow was NATed to), or null
 * @param replySourcePort          the endpoint's port, or 0
 */
public record ConntrackFilter(Protocol protocol, String originalDestination, int originalDestinationPort,
                              String replySource, int replySourcePort) {

    public ConntrackFilter {
        Objects.requireNonNull(protocol, "protocol");
        originalDestination = canonical(originalDestination);
        replySource = canonical(replySource);
        checkPort(originalDestinationPort);
        checkPort(replySourcePort);
    }

    private static String canonical(String address) {
        return address == null ? null : IpLiteral.canonical(address);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("conntrack filter port out of range: " + port);
        }
    }

    /** Flows sent to an address (a deleted service IP). */
    public static ConntrackFilter toAddress(Protocol protocol, String address) {
        return new ConntrackFilter(protocol, address, 0, null, 0);
    }

    /** Flows sent to an address and port (a deleted service port). */
    public static ConntrackFilter toAddressPort(Protocol protocol, String address, int port) {
        return new ConntrackFilter(protocol, address, port, null, 0);
    }

    /** Flows sent to a port on any address (a deleted node port). */
    public static ConntrackFilter toPort(Protocol protocol, int port) {
        return new ConntrackFilter(protocol, null, port, null, 0);
    }

    /** Flows from a service address NATed to an endpoint address (a removed endpoint). */
    public static ConntrackFilter natted(Protocol protocol, String serviceAddress, String endpointAddress) {
        return new ConntrackFilter(protocol, serviceAddress, 0, endpointAddress, 0);
    }

    /** Flows to a port (a node port) NATed to an endpoint address. */
    public static ConntrackFilter nattedPort(Protocol protocol, int port, String endpointAddress) {
        return new ConntrackFilter(protocol, null, port, endpointAddress, 0);
    }

    /** Whether an entry matches every field given. */
    public boolean matches(ConntrackEntry entry) {
        ConntrackTuple original = entry.original();
        ConntrackTuple reply = entry.reply();
        return original.protocol() == CtnetlinkCodec.protocolNumber(protocol)
                && (originalDestination == null || originalDestination.equals(original.destination()))
                && (originalDestinationPort == 0 || originalDestinationPort == original.destinationPort())
                && (replySource == null || replySource.equals(reply.source()))
                && (replySourcePort == 0 || replySourcePort == reply.sourcePort());
    }
}
