package io.switchyard.rules.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identity of one port of one Service: {@code ns/name:port} plus protocol. Everything
 * kube-proxy programs is keyed by it, and its string form is hashed into chain names and
 * written into rule comments, so its parts must be DNS labels (the port may be empty): nothing
 * else can exist, and no name can add a word or a line to a restore document.
 */
public record ServicePortName(String namespace, String name, String port, Protocol protocol)
        implements Comparable<ServicePortName> {

    /** By namespace, name, port, protocol: cheap (no string building) and consistent with equals. */
    private static final Comparator<ServicePortName> ORDER = Comparator
            .comparing(ServicePortName::namespace)
            .thenComparing(ServicePortName::name)
            .thenComparing(ServicePortName::port)
            .thenComparing(ServicePortName::protocol);

    public ServicePortName {
        Objects.requireNonNull(protocol, "protocol");
        port = port == null ? "" : port;
        requireLabel("namespace", namespace);
        requireLabel("name", name);
        if (!port.isEmpty()) {
            requireLabel("port name", port);
        }
    }

    private static void requireLabel(String what, String value) {
        if (!KubeNames.isDnsLabel(value)) {
            throw new IllegalArgumentException("service port " + what + " " + Printable.quote(value)
                    + " is not a DNS label");
        }
    }


    /** {@code ns/name:port}, or {@code ns/name} for an unnamed port. */
    @Override
    public String toString() {
        return port.isEmpty() ? namespace + "/" + name : namespace + "/" + name + ":" + port;
    }

    @Override
    public int compareTo(ServicePortName other) {
        return ORDER.compare(this, other);
    }
}
