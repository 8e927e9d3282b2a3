package io.switchyard.agent.source;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Builds the API client the way kube-proxy finds its API server: kubeconfig, master, or in-cluster. */
public final class ApiClients {

    private ApiClients() {
    }

    /**
     * From the kubeconfig file when given ({@code master}, if given, overriding its server); else,
     * with only {@code master}, a client for that URL without credentials; else the in-cluster
     * service account when running in a pod. The read timeout is zero: watches are long-lived.
     *
     * @throws IllegalArgumentException when there is neither a kubeconfig, a master nor a pod to run in
     * @throws IOException when the kubeconfig cannot be read
     */
    public static ApiClient create(String kubeconfigPath, String master) throws IOException {
        boolean haveKubeconfig = kubeconfigPath != null && !kubeconfigPath.isBlank();
        boolean haveMaster = master != null && !master.isBlank();
        ApiClient client;
        if (haveKubeconfig) {
            Path file = Path.of(kubeconfigPath).toAbsolutePath();
            KubeConfig config;
            try (Reader reader = Files.newBufferedReader(file)) {
                config = KubeConfig.loadKubeConfig(reader);
            }
            config.setFile(file.toFile()); // relative certificate paths are relative to the file
            client = ClientBuilder.kubeconfig(config).build();
        } else if (haveMaster) {
            client = new ClientBuilder().build();
        } else if (System.getenv("KUBERNETES_SERVICE_HOST") != null) {
            client = ClientBuilder.cluster().build();
        } else {
            throw new IllegalArgumentException("no API server configured: pass --kubeconfig (or --master), "
                    + "or run in a pod (KUBERNETES_SERVICE_HOST is not set)");
        }
        if (haveMaster) {
            client.setBasePath(master.endsWith("/") ? master.substring(0, master.length() - 1) : master);
        }
        return withoutReadTimeout(client);
    }

    /** The client with no read timeout, which a long-lived watch needs. */
    public static ApiClient withoutReadTimeout(ApiClient client) {
        if (client.getReadTimeout() != 0) {
            client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.MILLISECONDS).build());
        }
        return client;
    }
}
