package io.switchyard.ipvs.ipset;

import java.util.List;
import java.util.Objects;

/**
 * One set as the kernel lists it, before any interpretation: members are the kernel's own text.
 *
 * @param type    the type as printed ({@code hash:ip,port}, ...)
 * @param family  {@code inet} or {@code inet6}; empty for sets without a family (bitmap:port)
 */
public record InstalledIpset(String name, String type, String family, List<String> entries) {

    public InstalledIpset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        family = family == null ? "" : family;
        entries = List.copyOf(entries);
    }
}
