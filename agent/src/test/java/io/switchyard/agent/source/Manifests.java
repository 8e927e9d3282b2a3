package io.switchyard.agent.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Manifest text for the file source tests, and ways of writing it as tools do. */
final class Manifests {

    private Manifests() {
    }

    static String service(String namespace, String name, String clusterIp, int port) {
        return """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  clusterIP: %s
                  clusterIPs: [%s]
                  ports:
                  - name: http
                    port: %d
                    protocol: TCP
                """.formatted(name, namespace, clusterIp, clusterIp, port);
    }

    static String slice(String namespace, String service, String... ips) {
        StringBuilder endpoints = new StringBuilder();
        for (String ip : ips) {
            endpoints.append("""
                    - addresses: [%s]
                      conditions: {ready: true, serving: true, terminating: false}
                      nodeName: node-a
                    """.formatted(ip));
        }
        return """
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s-1
                  namespace: %s
                  labels:
                    kubernetes.io/service-name: %s
                addressType: IPv4
                ports:
                - name: http
                  port: 8080
                  protocol: TCP
                endpoints:
                """.formatted(service, namespace, service) + endpoints;
    }

    static final String NODE = """
            ---
            apiVersion: v1
            kind: Node
            metadata:
              name: node-a
              labels:
                topology.kubernetes.io/zone: zone-a
            """;

    /** Writes a temporary file beside the target and renames it over the target, as kubectl-like tools do. */
    static void replaceAtomically(Path target, String content) throws IOException {
        Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits up to ten seconds for the condition; whether it came true. */
    static boolean await(BooleanSupplier condition) {
        return await(condition, Duration.ofSeconds(10));
    }

    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
