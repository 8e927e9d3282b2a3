package io.switchyard.bench;

import com.google.gson.stream.JsonReader;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Discovery;
import io.switchyard.agent.decode.ObjectRejectedException;
import io.switchyard.agent.decode.ResourceDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Decoding the informers' initial LIST responses of the generated cluster, as an API server
 * serves them ({@link ServerObjects}): client-java's own JSON decoding (what {@code
 * ApiClient.execute} does), Switchyard's streaming decoders, and, as the lower bound of the
 * protobuf route, parsing the same lists with client-java-proto's models (no conversion to the
 * client-java models the informers need). Each op reads one whole list from its bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@State(Scope.Benchmark)
public class DecodingBenchmark {

    @Param({"10000"})
    int services;

    private byte[] serviceJson;
    private byte[] sliceJson;
    private byte[] serviceProto;
    private byte[] sliceProto;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ServerObjects objects = new ServerObjects(BenchClusters.objects(services));
        serviceJson = objects.serviceListJson();
        sliceJson = objects.sliceListJson();
        serviceProto = ProtoLists.services(objects.services());
        sliceProto = ProtoLists.slices(objects.slices());
        // Every route must read every object: a benchmark of a decoder that drops them proves nothing.
        check(clientJavaServices().getItems().size(), switchyardServices().getItems().size(),
                protobufServices().getItemsCount());
        check(clientJavaSlices().getItems().size(), switchyardSlices().getItems().size(),
                protobufSlices().getItemsCount());
        System.out.printf("%nLIST bodies: Services %,d bytes JSON, %,d protobuf; EndpointSlices %,d JSON, %,d protobuf%n",
                serviceJson.length, serviceProto.length, sliceJson.length, sliceProto.length);
    }

    private void check(int... counts) {
        for (int count : counts) {
            if (count != services) {
                throw new IllegalStateException("decoded " + count + " objects of " + services);
            }
        }
    }

    @Benchmark
    public V1ServiceList clientJavaServices() throws IOException {
        return JSON.deserialize(new ByteArrayInputStream(serviceJson), V1ServiceList.class);
    }

    @Benchmark
    public V1ServiceList switchyardServices() throws IOException {
        return ResourceDecoder.SERVICES.lists(DecodingBenchmark::fail).read(reader(serviceJson));
    }

    @Benchmark
    public V1.ServiceList protobufServices() throws IOException {
        return ProtoLists.decodeServices(serviceProto);
    }

    @Benchmark
    public V1EndpointSliceList clientJavaSlices() throws IOException {
        return JSON.deserialize(new ByteArrayInputStream(sliceJson), V1EndpointSliceList.class);
    }

    @Benchmark
    public V1EndpointSliceList switchyardSlices() throws IOException {
        return ResourceDecoder.ENDPOINT_SLICES.lists(DecodingBenchmark::fail).read(reader(sliceJson));
    }

    @Benchmark
    public V1Discovery.EndpointSliceList protobufSlices() throws IOException {
        return ProtoLists.decodeSlices(sliceProto);
    }

    /** The body as ApiLists reads it: okhttp's charStream is a UTF-8 reader over the bytes. */
    private static JsonReader reader(byte[] body) {
        return new JsonReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
    }

    private static void fail(ObjectRejectedException e) {
        throw e;
    }
}
