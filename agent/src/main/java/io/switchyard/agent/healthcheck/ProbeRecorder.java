package io.switchyard.agent.healthcheck;

/** Told the status code of every {@code /healthz} and {@code /livez} answer (kube-proxy counts them as metrics). */
@FunctionalInterface
public interface ProbeRecorder {

    /** Which endpoint of the proxy health server answered. */
    enum Probe { HEALTHZ, LIVEZ }

    /** Records nothing. */
    ProbeRecorder NONE = (probe, status) -> { };

    void served(Probe probe, int status);
}
