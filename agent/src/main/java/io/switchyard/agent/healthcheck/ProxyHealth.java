package io.switchyard.agent.healthcheck;

/**
 * Whether the proxy keeps up with its queued changes, node eligibility aside: what the service
 * health checks report as {@code serviceProxyHealthy}.
 */
@FunctionalInterface
public interface ProxyHealth {

    boolean isHealthy();
}
