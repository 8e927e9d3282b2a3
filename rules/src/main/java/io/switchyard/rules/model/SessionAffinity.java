package io.switchyard.rules.model;

/** How a Service pins clients to endpoints: not at all, or by client IP for a time. */
public sealed interface SessionAffinity {

    /** No affinity: every new connection is balanced afresh. */
    record None() implements SessionAffinity {
    }

    /** ClientIP affinity: a client sticks to its endpoint for {@code timeoutSeconds}. */
    record ClientIp(int timeoutSeconds) implements SessionAffinity {
        public ClientIp {
            if (timeoutSeconds <= 0 || timeoutSeconds > 86400) {
                throw new IllegalArgumentException("session affinity timeout must be in 1..86400, got " + timeoutSeconds);
            }
        }
    }

    SessionAffinity NONE = new None();

    /** The default ClientIP timeout the API server fills in: three hours. */
    int DEFAULT_TIMEOUT_SECONDS = 10800;
}
