package io.switchyard.agent.e2e;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.RbacAuthorizationV1Api;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.Yaml;
import io.switchyard.agent.traffic.ServiceChecks;
import io.switchyard.agent.traffic.TrafficResult;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * End to end on a real cluster: k3s without its kube-proxy, deploy/ applied with the image built
 * by {@code ./mvnw -Pimage package} (imported into k3s's containerd), a Service with three
 * endpoints; Switchyard must answer /livez on 10256 and program the Service, and requests from
 * the node to the cluster IP must reach every endpoint. The assertions are the namespace tests'
 * ({@link ServiceChecks}).
 *
 * <p>Needs a Docker engine (and, for the cluster, the public images rancher/k3s and agnhost).
 * Where no engine answers, the test is skipped with a message saying so.
 */
class K3sEndToEndTest {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path IMAGE = Path.of("target", "switchyard-image.tar");
    private static final String K3S = "rancher/k3s:v1.32.5-k3s1";
    private static final String AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.52";
    private static final String POD_CIDR = "10.42.0.0/16";

    private static K3sContainer k3s;
    private static ApiClient client;

    private static void startCluster() throws Exception {
        assertThat(IMAGE).as("the image tarball; build it first with ./mvnw -Pimage -DskipTests package").exists();
        k3s = new K3sContainer(DockerImageName.parse(K3S))
                .withCommand("server", "--disable=traefik", "--disable=servicelb", "--disable=metrics-server",
                        "--disable-kube-proxy", "--tls-san=" + DockerClientFactory.instance().dockerHostIpAddress());
        k3s.start();
        k3s.copyFileToContainer(MountableFile.forHostPath(IMAGE), "/tmp/switchyard-image.tar");
        exec("ctr", "-n", "k8s.io", "images", "import", "/tmp/switchyard-image.tar");
        client = Config.fromConfig(new StringReader(k3s.getKubeConfigYaml()));
        applyDeploy();
        applyWorkload();
    }

    @Test
    void switchyardAnswersLivezAndProgramsTheServiceAndTrafficReachesEveryEndpoint() throws Exception {
        boolean docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            System.err.println("K3sEndToEndTest: skipped, no Docker engine answers on this machine");
        }
        assumeTrue(docker, "no Docker engine answers on this machine (Testcontainers needs one to run k3s)");
        try {
            startCluster();
            checkSwitchyard();
        } finally {
            if (k3s != null) {
                k3s.stop();
            }
        }
    }

    private static void checkSwitchyard() throws Exception {
        awaitTrue(Duration.ofMinutes(3), "Switchyard answers /livez on 10256",
                () -> execOk("wget", "-q", "-O", "-", "http://127.0.0.1:10256/livez"));
        V1Service service = new CoreV1Api(client).readNamespacedService("web", "default").execute();
        String clusterIp = service.getSpec().getClusterIP();
        awaitTrue(Duration.ofMinutes(3), "three web pods are ready", () -> readyPods("app=web") == 3);
        awaitTrue(Duration.ofMinutes(1), "the web Service is in the nat table",
                () -> exec("iptables-save", "-t", "nat").contains("default/web:http cluster IP"));

        ServiceChecks.assertProgrammed(exec("iptables-save"), "default/web:http", clusterIp, 80, 3);
        ServiceChecks.assertReachedEveryBackend(requests(clusterIp, 60), podNames("app=web"));
    }

    /** {@code count} HTTP requests from the node to ip:80/hostname, tallied by the pod that answered. */
    private static TrafficResult requests(String ip, int count) throws Exception {
        Map<String, Integer> answers = new HashMap<>();
        int failures = 0;
        String firstError = null;
        for (int i = 0; i < count; i++) {
            Container.ExecResult r = k3s.execInContainer("wget", "-q", "-T", "2", "-O", "-", "http://" + ip + "/hostname");
            if (r.getExitCode() == 0) {
                answers.merge(r.getStdout().strip(), 1, Integer::sum);
            } else {
                failures++;
                firstError = firstError == null ? r.getStderr().strip() : firstError;
            }
        }
        return new TrafficResult(answers, Map.of(), 0, 0, 0, failures, count, 0, firstError);
    }

    private static void applyDeploy() throws IOException, ApiException {
        CoreV1Api core = new CoreV1Api(client);
        RbacAuthorizationV1Api rbac = new RbacAuthorizationV1Api(client);
        AppsV1Api apps = new AppsV1Api(client);
        List<Path> files;
        try (var list = Files.list(DEPLOY)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path file : files) {
            for (Object object : Yaml.loadAll(file.toFile())) {
                switch (object) {
                    case V1ServiceAccount sa -> core.createNamespacedServiceAccount(sa.getMetadata().getNamespace(), sa).execute();
                    case V1ClusterRole role -> rbac.createClusterRole(role).execute();
                    case V1ClusterRoleBinding binding -> rbac.createClusterRoleBinding(binding).execute();
                    case V1ConfigMap cm -> {
                        cm.getData().put("config.conf", cm.getData().get("config.conf")
                                .replace("clusterCIDR: 10.244.0.0/16", "clusterCIDR: " + POD_CIDR));
                        core.createNamespacedConfigMap(cm.getMetadata().getNamespace(), cm).execute();
                    }
                    case V1DaemonSet ds -> {
                        ds.getSpec().getTemplate().getSpec().getContainers().getFirst().setImagePullPolicy("Never");
                        apps.createNamespacedDaemonSet(ds.getMetadata().getNamespace(), ds).execute();
                    }
                    default -> throw new IllegalStateException("deploy/ holds an unexpected " + object.getClass().getSimpleName());
                }
            }
        }
    }

    private static void applyWorkload() throws IOException, ApiException {
        V1Deployment web = (V1Deployment) Yaml.load("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                        - name: agnhost
                          image: %s
                          args: [netexec, --http-port=8080]
                          ports: [{containerPort: 8080}]
                          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
                """.formatted(AGNHOST));
        V1Service service = (V1Service) Yaml.load("""
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """);
        new AppsV1Api(client).createNamespacedDeployment("default", web).execute();
        new CoreV1Api(client).createNamespacedService("default", service).execute();
    }

    private static long readyPods(String selector) {
        try {
            return new CoreV1Api(client).listNamespacedPod("default").labelSelector(selector).execute().getItems()
                    .stream().filter(K3sEndToEndTest::ready).count();
        } catch (ApiException e) {
            return 0;
        }
    }

    private static List<String> podNames(String selector) throws ApiException {
        return new CoreV1Api(client).listNamespacedPod("default").labelSelector(selector).execute().getItems()
                .stream().map(p -> p.getMetadata().getName()).toList();
    }

    private static boolean ready(V1Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private static String exec(String... command) {
        try {
            Container.ExecResult r = k3s.execInContainer(command);
            assertThat(r.getExitCode()).as("%s: %s", String.join(" ", command), r.getStderr()).isZero();
            return r.getStdout();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean execOk(String... command) {
        try {
            return k3s.execInContainer(command).getExitCode() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(2000);
        }
        assertThat(condition.getAsBoolean()).as("within %s: %s", timeout, what).isTrue();
    }
}
