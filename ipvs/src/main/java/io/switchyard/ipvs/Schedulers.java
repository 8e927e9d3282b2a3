package io.switchyard.ipvs;

import java.util.Set;

/** The IPVS schedulers the kernel ships, for validating {@code --ipvs-scheduler} before anything is programmed. */
public final class Schedulers {

    /** kube-proxy's default. */
    public static final String DEFAULT = "rr";

    /** Every scheduler module of Linux's IPVS ({@code ip_vs_<name>}). */
    public static final Set<String> KNOWN = Set.of(
            "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    private Schedulers() {
    }

    /** The scheduler to use for a flag value: empty means the default; an unknown name is an error. */
    public static String resolve(String flag) {
        if (flag == null || flag.isEmpty()) {
            return DEFAULT;
        }
        if (!KNOWN.contains(flag)) {
            throw new IllegalArgumentException("unknown IPVS scheduler \"" + flag + "\" (want one of "
                    + String.join(", ", KNOWN.stream().sorted().toList()) + ")");
        }
        return flag;
    }
}
