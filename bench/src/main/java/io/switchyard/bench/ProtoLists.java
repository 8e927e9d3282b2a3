package io.switchyard.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ManagedFieldsEntry;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.proto.IntStr;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Runtime;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Discovery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * The same LIST responses as {@link ServerObjects}' JSON ones, in the API server's protobuf
 * encoding ({@code application/vnd.kubernetes.protobuf}: the {@code k8s\0} magic, then a
 * runtime.Unknown wrapping the list), and their decoding with client-java-proto's models,
 * to weigh protobuf against JSON.
 */
public final class ProtoLists {

    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ProtoLists() {
    }

    public static byte[] services(List<V1Service> services) {
        V1.ServiceList.Builder list = V1.ServiceList.newBuilder()
                .setMetadata(Meta.ListMeta.newBuilder().setResourceVersion("999999"));
        services.forEach(s -> list.addItems(service(s)));
        return envelope("v1", "ServiceList", list.build().toByteString());
    }

    public static byte[] slices(List<V1EndpointSlice> slices) {
        V1Discovery.EndpointSliceList.Builder list = V1Discovery.EndpointSliceList.newBuilder()
                .setMetadata(Meta.ListMeta.newBuilder().setResourceVersion("999999"));
        slices.forEach(s -> list.addItems(slice(s)));
        return envelope("discovery.k8s.io/v1", "EndpointSliceList", list.build().toByteString());
    }

    /** Decodes a Service LIST response as client-java's ProtoClient does: envelope, then the list. */
    public static V1.ServiceList decodeServices(byte[] body) throws IOException {
        return V1.ServiceList.parseFrom(unwrap(body));
    }

    public static V1Discovery.EndpointSliceList decodeSlices(byte[] body) throws IOException {
        return V1Discovery.EndpointSliceList.parseFrom(unwrap(body));
    }

    private static ByteString unwrap(byte[] body) throws IOException {
        if (!Arrays.equals(body, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new IOException("not a Kubernetes protobuf body");
        }
        return Runtime.Unknown.parseFrom(CodedInputStream.newInstance(body, MAGIC.length, body.length - MAGIC.length))
                .getRaw();
    }

    private static byte[] envelope(String apiVersion, String kind, ByteString raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        try {
            Runtime.Unknown.newBuilder()
                    .setTypeMeta(Runtime.TypeMeta.newBuilder().setApiVersion(apiVersion).setKind(kind))
                    .setRaw(raw).setContentType("").setContentEncoding("").build().writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static V1.Service service(V1Service s) {
        V1.ServiceSpec.Builder spec = V1.ServiceSpec.newBuilder()
                .setType(s.getSpec().getType()).setClusterIP(s.getSpec().getClusterIP())
                .addAllClusterIPs(s.getSpec().getClusterIPs()).addAllIpFamilies(s.getSpec().getIpFamilies())
                .setIpFamilyPolicy(s.getSpec().getIpFamilyPolicy())
                .setInternalTrafficPolicy(s.getSpec().getInternalTrafficPolicy())
                .setSessionAffinity(s.getSpec().getSessionAffinity())
                .putAllSelector(s.getSpec().getSelector());
        s.getSpec().getPorts().forEach(p -> {
            V1.ServicePort.Builder port = V1.ServicePort.newBuilder().setName(p.getName()).setProtocol(p.getProtocol())
                    .setPort(p.getPort()).setTargetPort(IntStr.IntOrString.newBuilder().setType(0)
                            .setIntVal(p.getTargetPort().getIntValue()));
            if (p.getNodePort() != null) {
                port.setNodePort(p.getNodePort());
            }
            spec.addPorts(port);
        });
        if (s.getSpec().getExternalTrafficPolicy() != null) {
            spec.setExternalTrafficPolicy(s.getSpec().getExternalTrafficPolicy());
        }
        if (s.getSpec().getHealthCheckNodePort() != null) {
            spec.setHealthCheckNodePort(s.getSpec().getHealthCheckNodePort());
        }
        if (s.getSpec().getSessionAffinityConfig() != null) {
            spec.setSessionAffinityConfig(V1.SessionAffinityConfig.newBuilder().setClientIP(
                    V1.ClientIPConfig.newBuilder().setTimeoutSeconds(
                            s.getSpec().getSessionAffinityConfig().getClientIP().getTimeoutSeconds())));
        }
        V1.LoadBalancerStatus.Builder lb = V1.LoadBalancerStatus.newBuilder();
        if (s.getStatus().getLoadBalancer().getIngress() != null) {
            s.getStatus().getLoadBalancer().getIngress().forEach(i -> lb.addIngress(
                    V1.LoadBalancerIngress.newBuilder().setIp(i.getIp()).setIpMode(i.getIpMode())));
        }
        return V1.Service.newBuilder().setMetadata(meta(s.getMetadata())).setSpec(spec)
                .setStatus(V1.ServiceStatus.newBuilder().setLoadBalancer(lb)).build();
    }

    private static V1Discovery.EndpointSlice slice(V1EndpointSlice s) {
        V1Discovery.EndpointSlice.Builder slice = V1Discovery.EndpointSlice.newBuilder()
                .setMetadata(meta(s.getMetadata())).setAddressType(s.getAddressType());
        s.getEndpoints().forEach(e -> slice.addEndpoints(V1Discovery.Endpoint.newBuilder()
                .addAllAddresses(e.getAddresses())
                .setConditions(V1Discovery.EndpointConditions.newBuilder().setReady(e.getConditions().getReady())
                        .setServing(e.getConditions().getServing())
                        .setTerminating(e.getConditions().getTerminating()))
                .setTargetRef(V1.ObjectReference.newBuilder().setKind(e.getTargetRef().getKind())
                        .setNamespace(e.getTargetRef().getNamespace()).setName(e.getTargetRef().getName())
                        .setUid(e.getTargetRef().getUid()))
                .setNodeName(e.getNodeName()).setZone(e.getZone())
                .setHints(V1Discovery.EndpointHints.newBuilder().addForZones(
                        V1Discovery.ForZone.newBuilder().setName(e.getHints().getForZones().getFirst().getName())))));
        s.getPorts().forEach(p -> slice.addPorts(V1Discovery.EndpointPort.newBuilder().setName(p.getName())
                .setProtocol(p.getProtocol()).setPort(p.getPort())));
        return slice.build();
    }

    private static Meta.ObjectMeta meta(V1ObjectMeta m) {
        Meta.ObjectMeta.Builder meta = Meta.ObjectMeta.newBuilder().setName(m.getName())
                .setNamespace(m.getNamespace()).setUid(m.getUid()).setResourceVersion(m.getResourceVersion())
                .setCreationTimestamp(time(m.getCreationTimestamp()))
                .putAllLabels(m.getLabels()).putAllAnnotations(m.getAnnotations());
        if (m.getGeneration() != null) {
            meta.setGeneration(m.getGeneration());
        }
        if (m.getGenerateName() != null) {
            meta.setGenerateName(m.getGenerateName());
        }
        m.getOwnerReferences().forEach(o -> meta.addOwnerReferences(Meta.OwnerReference.newBuilder()
                .setApiVersion(o.getApiVersion()).setKind(o.getKind()).setName(o.getName()).setUid(o.getUid())
                .setController(o.getController()).setBlockOwnerDeletion(o.getBlockOwnerDeletion())));
        for (V1ManagedFieldsEntry f : m.getManagedFields()) {
            meta.addManagedFields(Meta.ManagedFieldsEntry.newBuilder().setManager(f.getManager())
                    .setOperation(f.getOperation()).setApiVersion(f.getApiVersion()).setTime(time(f.getTime()))
                    .setFieldsType(f.getFieldsType()).setFieldsV1(Meta.FieldsV1.newBuilder().setRaw(
                            ByteString.copyFrom(JSON.serialize(f.getFieldsV1()), StandardCharsets.UTF_8))));
        }
        return meta.build();
    }

    private static Meta.Time time(OffsetDateTime time) {
        return Meta.Time.newBuilder().setSeconds(time.toEpochSecond()).setNanos(time.getNano()).build();
    }
}
