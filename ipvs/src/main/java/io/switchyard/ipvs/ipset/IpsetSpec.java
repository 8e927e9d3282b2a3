package io.switchyard.ipvs.ipset;

import io.switchyard.rules.model.IpFamily;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How one ipset is created: its name, type and (for hash sets) address family, with the sizes
 * kube-proxy asks for. The create line is what both {@code ipset save} and {@code ipset restore}
 * read.
 */
public record IpsetSpec(String name, IpsetType type, IpFamily family) {

    /** The longest set name the kernel accepts ({@code IPSET_MAXNAMELEN} - 1). */
    public static final int MAX_NAME_LENGTH = 31;
    /** kube-proxy's initial hash size. */
    public static final int HASH_SIZE = 1024;
    /** kube-proxy's element limit. */
    public static final int MAX_ELEMENTS = 65536;
    /** The port range of every bitmap:port set. */
    public static final String PORT_RANGE = "0-65535";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NAME_LENGTH + "}");

    public IpsetSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(family, "family");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid ipset name: \"" + name + "\"");
        }
    }

    /** {@code inet} or {@code inet6}, as ipset spells a family. */
    public static String familyName(IpFamily family) {
        return family == IpFamily.IPV4 ? "inet" : "inet6";
    }

    /** The create line without {@code -exist}: {@code create NAME TYPE family inet hashsize 1024 maxelem 65536}. */
    public String createLine() {
        if (type.hasFamily()) {
            return "create " + name + " " + type.kernelName() + " family " + familyName(family)
                    + " hashsize " + HASH_SIZE + " maxelem " + MAX_ELEMENTS;
        }
        return "create " + name + " " + type.kernelName() + " range " + PORT_RANGE;
    }
}
