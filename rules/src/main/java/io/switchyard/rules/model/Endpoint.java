package io.switchyard.rules.model;

import java.util.Set;

/**
 * One backend of one service port, as an EndpointSlice describes it: address, port, where it
 * runs, its conditions and the topology hints the EndpointSlice controller wrote for it.
 *
 * @param ip          canonical IP literal of the endpoint's first address (checked: it is rendered)
 * @param nodeName    the node it runs on, or empty when the slice does not say
 * @param zoneHints   zones this endpoint should serve ({@code hints.forZones})
 * @param nodeHints   nodes this endpoint should serve ({@code hints.forNodes})
 */
public record Endpoint(
        String ip,
        int port,
        String nodeName,
        String zone,
        boolean ready,
        boolean serving,
        boolean terminating,
        Set<String> zoneHints,
        Set<String> nodeHints) {

    public Endpoint {
        if (!IpLiteral.isCanonical(ip)) {
            throw new IllegalArgumentException("endpoint IP " + Printable.quote(ip) + " is not a canonical IP address");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port out of range: " + port);
        }
        nodeName = nodeName == null ? "" : nodeName;
        zone = zone == null ? "" : zone;
        zoneHints = Set.copyOf(zoneHints);
        nodeHints = Set.copyOf(nodeHints);
    }

    /** A ready, serving, non-terminating endpoint with no hints: the common case in tests. */
    public static Endpoint ready(String ip, int port, String nodeName, String zone) {
        return new Endpoint(ip, port, nodeName, zone, true, true, false, Set.of(), Set.of());
    }

    /** {@code ip:port}, or {@code [ip]:port} for IPv6: the DNAT target and the chain-name input. */
    public String hostPort() {
        return ip.indexOf(':') >= 0 ? "[" + ip + "]:" + port : ip + ":" + port;
    }

    /** Whether this endpoint runs on the named node. */
    public boolean isLocalTo(String node) {
        return !nodeName.isEmpty() && nodeName.equals(node);
    }

    @Override
    public String toString() {
        return hostPort();
    }
}
