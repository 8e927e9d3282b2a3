package io.switchyard.agent.deploy;

import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ClusterRoleBinding;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.util.Yaml;
import io.switchyard.agent.config.KubeProxyConfiguration;
import io.switchyard.agent.config.SettingsResolver;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in deploy/: every document parses into client-java's models (which refuse
 * unknown fields), and the DaemonSet has the shape of kubeadm's kube-proxy DaemonSet.
 * (No API server here: {@code kubectl apply --dry-run=server} is not run.)
 */
class DeployManifestsTest {

    static final Path DEPLOY = Path.of("..", "deploy");

    private static final List<Object> OBJECTS = new ArrayList<>();
    private static final List<Map<?, ?>> DOCUMENTS = new ArrayList<>();

    @BeforeAll
    static void load() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(DEPLOY)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            OBJECTS.addAll(Yaml.loadAll(file.toFile()));
            new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()))
                    .loadAll(Files.readString(file)).forEach(d -> DOCUMENTS.add((Map<?, ?>) d));
        }
    }

    private static <T> T one(Class<T> type) {
        List<T> found = OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    @Test
    void everyDocumentIsAKnownKindInItsApiVersion() {
        Set<String> kinds = DOCUMENTS.stream().map(d -> d.get("apiVersion") + " " + d.get("kind")).collect(Collectors.toSet());

        assertThat(kinds).containsExactlyInAnyOrder("v1 ServiceAccount", "rbac.authorization.k8s.io/v1 ClusterRole",
                "rbac.authorization.k8s.io/v1 ClusterRoleBinding", "v1 ConfigMap", "apps/v1 DaemonSet");
        assertThat(OBJECTS).hasSize(DOCUMENTS.size());
    }

    @Test
    void theClusterRoleGrantsOnlyReadingServicesSlicesAndNodesAndWritingEvents() {
        V1ClusterRole role = one(V1ClusterRole.class);

        Set<String> grants = role.getRules().stream().flatMap(DeployManifestsTest::grants).collect(Collectors.toSet());
        assertThat(grants).containsExactlyInAnyOrder(
                "/services get", "/services list", "/services watch",
                "/nodes get", "/nodes list", "/nodes watch",
                "discovery.k8s.io/endpointslices get", "discovery.k8s.io/endpointslices list",
                "discovery.k8s.io/endpointslices watch",
                "/events create", "/events patch", "/events update",
                "events.k8s.io/events create", "events.k8s.io/events patch", "events.k8s.io/events update");
    }

    private static Stream<String> grants(V1PolicyRule rule) {
        assertThat(rule.getResourceNames()).isNullOrEmpty();
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        return rule.getApiGroups().stream().flatMap(group -> rule.getResources().stream()
                .flatMap(resource -> rule.getVerbs().stream().map(verb -> group + "/" + resource + " " + verb)));
    }

    @Test
    void theBindingGivesTheRoleToTheDaemonSetsServiceAccount() {
        V1ClusterRoleBinding binding = one(V1ClusterRoleBinding.class);
        V1ServiceAccount account = one(V1ServiceAccount.class);
        V1DaemonSet daemonSet = one(V1DaemonSet.class);

        assertThat(binding.getRoleRef().getName()).isEqualTo(one(V1ClusterRole.class).getMetadata().getName());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace()).isEqualTo("kube-system");
        });
        assertThat(daemonSet.getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo(account.getMetadata().getName());
    }

    @Test
    void theDaemonSetHasKubeProxysShape() {
        V1DaemonSet daemonSet = one(V1DaemonSet.class);
        V1PodSpec pod = daemonSet.getSpec().getTemplate().getSpec();
        V1Container container = pod.getContainers().getFirst();

        assertThat(daemonSet.getMetadata().getNamespace()).isEqualTo("kube-system");
        assertThat(daemonSet.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(daemonSet.getSpec().getSelector().getMatchLabels())
                .isEqualTo(daemonSet.getSpec().getTemplate().getMetadata().getLabels());
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getKey()).isNull();
            assertThat(t.getEffect()).isNull();
        });
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(container.getSecurityContext().getPrivileged()).isTrue();
        assertThat(container.getEnv()).singleElement().satisfies(e -> {
            assertThat(e.getName()).isEqualTo("NODE_NAME");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        });
        assertThat(container.getArgs()).containsExactly("run", "--config=/var/lib/switchyard/config.conf",
                "--hostname-override=$(NODE_NAME)");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/livez");
        assertThat(container.getLivenessProbe().getHttpGet().getPort().getIntValue()).isEqualTo(10256);
    }

    @Test
    void theDaemonSetMountsTheLockTheModulesAndTheConfigMap() {
        V1PodSpec pod = one(V1DaemonSet.class).getSpec().getTemplate().getSpec();
        Map<String, V1Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(V1Volume::getName, v -> v));
        Map<String, V1VolumeMount> mounts = pod.getContainers().getFirst().getVolumeMounts().stream()
                .collect(Collectors.toMap(V1VolumeMount::getMountPath, m -> m));

        V1VolumeMount lock = mounts.get("/run/xtables.lock");
        assertThat(volumes.get(lock.getName()).getHostPath().getPath()).isEqualTo("/run/xtables.lock");
        assertThat(volumes.get(lock.getName()).getHostPath().getType()).isEqualTo("FileOrCreate");
        assertThat(lock.getReadOnly()).isNotEqualTo(Boolean.TRUE);

        V1VolumeMount modules = mounts.get("/lib/modules");
        assertThat(volumes.get(modules.getName()).getHostPath().getPath()).isEqualTo("/lib/modules");
        assertThat(modules.getReadOnly()).isTrue();

        V1VolumeMount config = mounts.get("/var/lib/switchyard");
        assertThat(volumes.get(config.getName()).getConfigMap().getName())
                .isEqualTo(one(V1ConfigMap.class).getMetadata().getName());
    }

    @Test
    void theConfigMapHoldsAConfigurationSwitchyardReadsWithoutWarnings() {
        V1ConfigMap configMap = one(V1ConfigMap.class);
        Object document = new org.yaml.snakeyaml.Yaml(new SafeConstructor(new LoaderOptions()))
                .load(configMap.getData().get("config.conf"));

        KubeProxyConfiguration config = KubeProxyConfiguration.parse("ConfigMap switchyard", document);
        SettingsResolver.Resolved resolved = new SettingsResolver(Map.of(), config).resolve("", null, () -> "node-a");

        assertThat(config.warnings()).isEmpty();
        assertThat(resolved.warnings()).isEmpty();
        assertThat(resolved.settings().proxyMode()).isEqualTo("iptables");
        assertThat(resolved.settings().healthzBindAddress()).hasValueSatisfying(a -> assertThat(a.port()).isEqualTo(10256));
    }
}
