package io.switchyard.agent.config;

import io.switchyard.rules.model.IpLiteral;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Where a server listens, as kube-proxy's {@code --healthz-bind-address} and
 * {@code --metrics-bind-address} take it: an IP literal and a port.
 *
 * @param host an IP literal in canonical form, without brackets
 */
public record BindAddress(String host, int port) {

    public BindAddress {
        host = IpLiteral.canonical(host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be within 1..65535, got " + port);
        }
    }

    /**
     * kube-proxy's rule: an empty value disables the server (empty result); an IP without a port
     * gets the default port; IPv6 with a port is written in brackets ({@code [::1]:10249}).
     */
    public static Optional<BindAddress> parse(String label, String value, int defaultPort) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String text = value.strip();
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid(label, value);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid(label, value);
                }
                port = rest.substring(1);
            }
        } else if (IpLiteral.parse(text) != null) {
            host = text;
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw invalid(label, value);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        if (IpLiteral.parse(host) == null) {
            throw invalid(label, value);
        }
        int number = defaultPort;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                throw invalid(label, value);
            }
            if (number < 1 || number > 65535) {
                throw new ConfigException(label + ": port must be within 1..65535, got \"" + value + "\"");
            }
        }
        return Optional.of(new BindAddress(host, number));
    }

    private static ConfigException invalid(String label, String value) {
        return new ConfigException(label + ": want IP:port (such as 0.0.0.0:10256 or [::]:10256), got \"" + value + "\"");
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(java.net.InetAddress.ofLiteral(host), port);
    }

    /** {@code 0.0.0.0:10256}, {@code [::1]:10249}. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
