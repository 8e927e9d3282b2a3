package io.switchyard.agent.node;

import java.util.OptionalLong;

/**
 * Kernel settings by sysctl key, dotted ({@code net.netfilter.nf_conntrack_max}) or slashed
 * ({@code net/netfilter/nf_conntrack_max}), as sysctl(8) takes them.
 */
public interface Sysctls {

    /** The current value, trimmed; throws {@link NodeSettingException} when the key cannot be read. */
    String read(String key);

    /** Sets a value; throws {@link NodeSettingException} naming the key when it cannot. */
    void write(String key, String value);

    /** The current value as a number, or empty when the key is missing, unreadable or not a number. */
    default OptionalLong readLong(String key) {
        try {
            return OptionalLong.of(Long.parseLong(read(key).strip()));
        } catch (NodeSettingException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The slashed form of a key: dots become slashes unless the key is already slashed. */
    static String slashed(String key) {
        return key.indexOf('/') >= 0 ? key : key.replace('.', '/');
    }
}
