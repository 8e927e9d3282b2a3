package io.switchyard.agent.source;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.switchyard.agent.config.ConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds the API client the way kube-proxy finds its API server: kubeconfig, else in-cluster. */
public final class ApiClients {

    private ApiClients() {
    }

    /**
     * @param kubeconfig a kubeconfig path, or null for the in-cluster service account
     * @param master     an API server URL overriding the kubeconfig's, or null
     */
    public static ApiClient create(String kubeconfig, String master) {
        ApiClient client;
        try {
            if (kubeconfig != null) {
                try (Reader reader = Files.newBufferedReader(Path.of(kubeconfig), StandardCharsets.UTF_8)) {
                    client = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(reader)).build();
                }
            } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
                client = ClientBuilder.cluster().build();
            } else if (master != null) {
                client = new ClientBuilder().setBasePath(master).build();
            } else {
                throw new ConfigException("not running in a pod: pass --kubeconfig or --master");
            }
        } catch (IOException e) {
            throw new ConfigException("cannot load kubeconfig " + kubeconfig + ": " + e.getMessage());
        }
        if (master != null) {
            client.setBasePath(master);
        }
        // Watches are long-lived: no read timeout.
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.MILLISECONDS).build());
        return client;
    }
}
