package io.switchyard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1ListMeta;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.util.ClientBuilder;
import io.switchyard.agent.bench.ClusterGenerator;
import io.switchyard.agent.source.ClusterObjects;
import io.switchyard.agent.source.EndpointSliceHandler;
import io.switchyard.agent.source.InformerSource;
import io.switchyard.agent.source.NodeHandler;
import io.switchyard.agent.source.ServiceHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * How much heap the informer caches hold, and how long their initial LIST takes, for a
 * generated cluster of N Services × 10 endpoints: {@link InformerSource} against a local HTTP
 * server that answers each LIST with the bodies of {@link ServerObjects} and each watch with a
 * stream that stays open and silent. Handlers keep nothing, so what closing and dropping the
 * informers frees (heap used after full GCs, with the informers synced and after) is theirs.
 *
 * <p>Usage: {@code java -XX:+UseSerialGC -cp benchmarks.jar io.switchyard.bench.InformerHeap
 * [services] [--pause]}; with {@code --pause} it waits once synced, for {@code jcmd PID
 * GC.class_histogram}.
 */
public final class InformerHeap {

    private InformerHeap() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 && !args[0].startsWith("--") ? Integer.parseInt(args[0]) : 10_000;
        boolean pause = args.length > 0 && args[args.length - 1].equals("--pause");
        ClusterObjects cluster = BenchClusters.objects(services);
        ServerObjects objects = new ServerObjects(cluster);
        byte[] serviceList = objects.serviceListJson();
        byte[] sliceList = objects.sliceListJson();
        byte[] nodeList = JSON.serialize(new V1NodeList().apiVersion("v1").kind("NodeList")
                .metadata(new V1ListMeta().resourceVersion("999999")).items(cluster.nodes()))
                .getBytes(StandardCharsets.UTF_8);
        cluster = null;
        objects = null;

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> answer(exchange, serviceList, sliceList, nodeList));
        server.start();

        CountDownLatch synced = new CountDownLatch(3);
        InformerSource source = new InformerSource(
                new ClientBuilder().setBasePath("http://127.0.0.1:" + server.getAddress().getPort()).build(),
                ClusterGenerator.NODE, "", new Discard(synced), new Discard(synced), new Discard(synced));
        long start = System.nanoTime();
        source.start();
        if (!synced.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("informers did not sync");
        }
        long syncMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long running = usedAfterGc();
        if (pause) {
            System.out.println("pid " + ProcessHandle.current().pid() + ": waiting for jcmd; press Enter to go on");
            System.in.read();
        }
        // What the informers hold is what closing and forgetting them frees.
        source.close();
        source = null;
        Thread.sleep(1000);
        long closed = usedAfterGc();
        System.out.printf("services=%d endpoints/service=10 list bodies: %,d + %,d bytes%n", services,
                serviceList.length, sliceList.length);
        System.out.printf("initial lists synced in %,d ms; heap held by the informers: %,.1f MiB (%,d -> %,d bytes)%n",
                syncMillis, (running - closed) / 1048576.0, running, closed);
        server.stop(0);
        System.exit(0);
    }

    private static void answer(HttpExchange exchange, byte[] services, byte[] slices, byte[] nodes) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String query = String.valueOf(exchange.getRequestURI().getQuery());
        byte[] body = path.endsWith("/services") ? services : path.endsWith("/endpointslices") ? slices
                : path.endsWith("/nodes") ? nodes : null;
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (body == null) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        } else if (query.contains("watch=true")) {
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().flush();
            try {
                Thread.sleep(Long.MAX_VALUE); // an open watch that never has news
            } catch (InterruptedException e) {
                exchange.close();
            }
        } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                // In small writes: the JDK's server keeps a buffer the size of the last write
                // for the connection, which the next (watch) request then holds on to.
                for (int offset = 0; offset < body.length; offset += 65536) {
                    out.write(body, offset, Math.min(65536, body.length - offset));
                }
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Handlers that keep nothing: only the informers' own caches hold the objects. */
    private record Discard(CountDownLatch synced) implements ServiceHandler, EndpointSliceHandler, NodeHandler {
        @Override
        public void onServiceAdd(V1Service service) {
        }

        @Override
        public void onServiceUpdate(V1Service oldService, V1Service service) {
        }

        @Override
        public void onServiceDelete(V1Service service) {
        }

        @Override
        public void onServicesSynced() {
            synced.countDown();
        }

        @Override
        public void onEndpointSliceAdd(V1EndpointSlice slice) {
        }

        @Override
        public void onEndpointSliceUpdate(V1EndpointSlice oldSlice, V1EndpointSlice slice) {
        }

        @Override
        public void onEndpointSliceDelete(V1EndpointSlice slice) {
        }

        @Override
        public void onEndpointSlicesSynced() {
            synced.countDown();
        }

        @Override
        public void onNodeAdd(V1Node node) {
        }

        @Override
        public void onNodeUpdate(V1Node oldNode, V1Node node) {
        }

        @Override
        public void onNodeDelete(V1Node node) {
        }

        @Override
        public void onNodeSynced() {
            synced.countDown();
        }
    }
}
