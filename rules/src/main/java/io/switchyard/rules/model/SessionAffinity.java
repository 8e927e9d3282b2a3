package io.switchyard.rules.model;

/** How a Service pins clients to endpoints: not at all, or by client IP for a time. */
public sealed interface SessionAffinity {

    /** No affinity: every new connection is balanced afresh. */
    record None() implements SessionAffinity {
    }

    /** ClientIP affinity: a client sticks to its endpoint for {@code timeoutSeconds}. */
    record ClientIp(int timeoutSeconds) implements SessionAffinity {
        public ClientIp {
            if (timeoutSeconds <= 0 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
                throw new IllegalArgumentException("session affinity timeout must be in 1.." + MAX_TIMEOUT_SECONDS
                        + ", got " + timeoutSeconds);
            }
        }
    }

    SessionAffinity NONE = new None();

    /** The default ClientIP timeout the API server fills in: three hours. */
    int DEFAULT_TIMEOUT_SECONDS = 10800;

    /** The longest ClientIP timeout the API server accepts: one day. */
    int MAX_TIMEOUT_SECONDS = 86400;
}
