package io.switchyard.agent.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchyard bench --curve 1000,5000,...}: how Switchyard's costs grow with the cluster.
 * Each size runs in a fresh process (this JVM's binary, flags and jar, {@code bench --json}), so
 * that peak RSS is that size's alone; the points, with the kernel's floor beside each, become a
 * table and an SVG plot ({@link CurvePlot}).
 */
public final class CostCurve {

    /** One size's figures, in seconds and bytes; {@code floor} is iptables-restore alone, staged. */
    public record Point(int services, double firstSync, double oneChange, double burst, int burstSize,
                        long peakRssBytes, double floor) {
    }

    private final int endpointsPerService;
    private final int burst;
    private final String floorCap;

    public CostCurve(int endpointsPerService, int burst, String floorCap) {
        this.endpointsPerService = endpointsPerService;
        this.burst = burst;
        this.floorCap = floorCap;
    }

    /** Measures each size in turn, telling {@code progress} of each point as it is measured. */
    public List<Point> measure(List<Integer> sizes, java.util.function.Consumer<Point> progress)
            throws IOException, InterruptedException {
        List<Point> points = new ArrayList<>();
        for (int services : sizes) {
            Point point = measure(services);
            points.add(point);
            progress.accept(point);
        }
        return points;
    }

    private Point measure(int services) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add(ProcessHandle.current().info().command().orElse("java"));
        argv.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-XX:AOTCacheOutput") && !a.startsWith("-agentlib")).toList());
        argv.addAll(List.of("-jar", jar().toString(), "bench", "--json", "--services", Integer.toString(services),
                "--endpoints-per-service", Integer.toString(endpointsPerService), "--burst", Integer.toString(burst),
                "--floor-cap", floorCap));
        Process process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.HOURS) || process.exitValue() != 0) {
            throw new IllegalStateException("bench at " + services + " services failed (exit "
                    + (process.isAlive() ? "timeout" : process.exitValue()) + ")");
        }
        JsonObject json = JsonParser.parseString(out.strip()).getAsJsonObject();
        return new Point(services, json.get("firstSyncSeconds").getAsDouble(), json.get("oneChangeSeconds").getAsDouble(),
                json.get("burstSeconds").getAsDouble(), json.get("burstSize").getAsInt(),
                json.get("peakRssBytes").getAsLong(),
                json.get("restoreStagedSeconds").isJsonNull() ? Double.NaN : json.get("restoreStagedSeconds").getAsDouble());
    }

    /** The points as a Markdown table. */
    public static String table(List<Point> points) {
        StringBuilder out = new StringBuilder("""
                | services × 10 | first sync | kernel floor (staged restore) | one change | burst | peak RSS |
                |---:|---:|---:|---:|---:|---:|
                """);
        for (Point p : points) {
            out.append(String.format(Locale.ROOT, "| %,d | %.2f s | %.2f s | %.3f s | %.2f s (%d) | %.0f MB |%n",
                    p.services(), p.firstSync(), p.floor(), p.oneChange(), p.burst(), p.burstSize(),
                    p.peakRssBytes() / 1e6));
        }
        return out.toString();
    }

    private static Path jar() {
        try {
            return Path.of(CostCurve.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
