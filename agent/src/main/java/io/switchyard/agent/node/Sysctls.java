package io.switchyard.agent.node;

/**
 * Kernel parameters of the network namespace a proxy programs ({@code net.ipv4.conf.all.route_localnet},
 * {@code net.netfilter.nf_conntrack_tcp_be_liberal}), read and written by their dotted names.
 */
public interface Sysctls {

    /** A parameter could not be read or written; the message is one line naming it. */
    final class SysctlException extends Exception {
        public SysctlException(String message) {
            super(message);
        }
    }

    /** The parameter's value, without surrounding white space. */
    String read(String key) throws SysctlException;

    /** Sets the parameter. */
    void write(String key, String value) throws SysctlException;
}
