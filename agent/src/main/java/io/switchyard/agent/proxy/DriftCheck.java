package io.switchyard.agent.proxy;

import java.util.List;

/**
 * What a dataplane found when it compared the kernel with what it last applied.
 *
 * @param findings one short description per thing found missing or changed; empty when all is as applied
 */
public record DriftCheck(List<String> findings) {

    /** Nothing drifted. */
    public static final DriftCheck NONE = new DriftCheck(List.of());

    public DriftCheck {
        findings = List.copyOf(findings);
    }

    public boolean drifted() {
        return !findings.isEmpty();
    }
}
