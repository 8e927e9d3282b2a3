package io.switchyard.agent.source;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.switchyard.agent.source.Manifests.NODE;
import static io.switchyard.agent.source.Manifests.await;
import static io.switchyard.agent.source.Manifests.replaceAtomically;
import static io.switchyard.agent.source.Manifests.service;
import static io.switchyard.agent.source.Manifests.slice;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file source against a real directory: what it delivers when files are written, broken,
 * replaced and removed, what it reads to find out, and what it says when the disk misbehaves.
 */
class FileSourceTest {

    @TempDir
    Path dir;

    private final Recorder recorder = new Recorder();
    private final CountingDisk disk = new CountingDisk();
    private final LogCapture log = new LogCapture();
    private FileSource source;

    @AfterEach
    void close() throws IOException {
        if (source != null) {
            source.close();
        }
        log.close();
    }

    private void start(Path path, Duration rescanPeriod) throws IOException {
        source = new FileSource(path, "node-a", new ProxySelection(""), recorder, recorder, recorder,
                FileSource.Batching.NONE, disk, rescanPeriod, 1024 * 1024);
        source.start();
    }

    private void start() throws IOException {
        start(dir, Duration.ofHours(1)); // only the watch: a rescan would hide what it missed
    }

    @Test
    void startDeliversTheObjectsThenSaysSynced() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80) + slice("demo", "web", "10.244.1.1"));
        Files.writeString(dir.resolve("node.yaml"), NODE);
        Files.createDirectories(dir.resolve("more"));
        Files.writeString(dir.resolve("more/api.yml"), service("demo", "api", "10.96.0.11", 80));

        start();

        assertThat(recorder.atSynced.get("Service")).containsExactly("demo/api", "demo/web");
        assertThat(recorder.atSynced.get("EndpointSlice")).containsExactly("demo/web-1");
        assertThat(recorder.atSynced.get("Node")).containsExactly("node-a");
        assertThat(recorder.syncedCounts()).containsExactly(1, 1, 1);
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void aBrokenFileKeepsItsLastGoodObjectsUntilItIsFixed() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80) + slice("demo", "web", "10.244.1.1"));
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 80));
        start();

        Files.writeString(web, service("demo", "web", "10.96.0.10", 80) + "spec: [unclosed\n");
        assertThat(await(() -> !log.warnings().isEmpty())).isTrue();
        assertThat(log.warnings()).singleElement().asString()
                .startsWith(web + ": not valid YAML: line ")
                .endsWith("; keeping the 2 objects of its last good read");
        assertThat(recorder.serviceKeys()).containsExactly("demo/api", "demo/web");
        assertThat(recorder.sliceKeys()).containsExactly("demo/web-1");
        assertThat(recorder.events).noneMatch(e -> e.startsWith("DELETE"));

        Files.writeString(web, service("demo", "web", "10.96.0.10", 81) + slice("demo", "web", "10.244.1.1"));
        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        assertThat(recorder.events).noneMatch(e -> e.startsWith("DELETE"));
        assertThat(log.warnings()).hasSize(1);
    }

    @Test
    void aDeletedFileTakesItsObjectsWithIt() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80) + slice("demo", "web", "10.244.1.1"));
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 80));
        start();

        Files.delete(web);

        assertThat(await(() -> recorder.serviceKeys().equals(List.of("demo/api")))).isTrue();
        assertThat(await(() -> recorder.sliceKeys().isEmpty())).isTrue();
        assertThat(log.warnings()).isEmpty();
    }

    @Test
    void aFileThatBecomesBrokenAndIsThenDeletedLosesItsObjects() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80));
        start();
        Files.writeString(web, "kind: [");
        assertThat(await(() -> !log.warnings().isEmpty())).isTrue();

        Files.delete(web);

        assertThat(await(() -> recorder.serviceKeys().isEmpty())).isTrue();
    }

    @Test
    void anInvalidObjectKeepsItsLastGoodVersionWhileTheFileMovesOn() throws IOException {
        Path file = dir.resolve("services.yaml");
        Files.writeString(file, service("demo", "web", "10.96.0.10", 80) + service("demo", "api", "10.96.0.11", 80));
        start();

        Files.writeString(file, service("demo", "web", "10.96.0.10", 81)
                + service("demo", "api", "10.96.0.11", 80).replace("port: 80", "port: eighty"));

        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        assertThat(recorder.service("demo/api").getSpec().getPorts().getFirst().getPort()).isEqualTo(80);
        assertThat(recorder.events).noneMatch(e -> e.startsWith("DELETE"));
        assertThat(log.warnings()).singleElement().asString()
                .startsWith("Service demo/api in " + file + ": spec.ports[0].port: ")
                .endsWith("; keeping its last good version");
    }

    @Test
    void anAtomicReplaceIsOneChangeOfTheTarget() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80));
        start();
        recorder.events.clear();

        replaceAtomically(web, service("demo", "web", "10.96.0.10", 81) + slice("demo", "web", "10.244.1.1"));

        assertThat(await(() -> recorder.events.size() == 2)).isTrue();
        assertThat(recorder.events).containsExactlyInAnyOrder("UPDATE Service demo/web", "ADD EndpointSlice demo/web-1");
        assertThat(disk.reads(web)).isEqualTo(2);
        assertThat(disk.reads.keySet()).containsExactly(web);
    }

    @Test
    void editorsAndToolsTemporaryFilesAreNeverRead() throws IOException, InterruptedException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80));
        start();
        String other = service("demo", "temp", "10.96.0.99", 80);

        for (String name : List.of(".#web.yaml", "web.yaml~", ".web.yaml.swp", "web.yaml.swp", ".web.yaml.tmp",
                "4913", "web.yaml.bak")) {
            Files.writeString(dir.resolve(name), other);
            Files.writeString(dir.resolve(name), other + "# again\n");
        }
        Files.createDirectories(dir.resolve(".git"));
        Files.writeString(dir.resolve(".git/temp.yaml"), other);
        Thread.sleep(500);

        assertThat(disk.reads.keySet()).containsExactly(web);
        assertThat(disk.reads(web)).as("no other file's change makes it read again").isEqualTo(1);
        assertThat(recorder.serviceKeys()).containsExactly("demo/web");
    }

    @Test
    void anEditReadsOnlyTheFileThatChanged() throws IOException {
        for (int i = 0; i < 20; i++) {
            Files.writeString(dir.resolve("svc-" + i + ".yaml"), service("demo", "svc-" + i, "10.96.0." + (10 + i), 80)
                    + slice("demo", "svc-" + i, "10.244.1." + (10 + i)));
        }
        start();
        assertThat(disk.totalReads()).isEqualTo(20);
        recorder.events.clear();

        Path edited = dir.resolve("svc-7.yaml");
        Files.writeString(edited, service("demo", "svc-7", "10.96.0.17", 80)
                + slice("demo", "svc-7", "10.244.1.17", "10.244.1.117"));

        assertThat(await(() -> !recorder.events.isEmpty())).isTrue();
        assertThat(recorder.events).containsExactly("UPDATE EndpointSlice demo/svc-7-1");
        assertThat(disk.reads(edited)).isEqualTo(2);
        assertThat(disk.totalReads()).isEqualTo(21);
    }

    @Test
    void aChangeTheWatchCannotSeeIsCaughtByTheRescan() throws IOException {
        // The manifest is a link to a file elsewhere: writing there makes no event in the directory.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path followed = Files.createDirectories(dir.resolve("followed"));
        Path target = Files.writeString(elsewhere.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80));
        Files.createSymbolicLink(followed.resolve("web.yaml"), target);
        start(followed, Duration.ofMillis(200));
        int reads = disk.totalReads();

        Files.writeString(target, service("demo", "web", "10.96.0.10", 81));

        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        awaitRescans(3);
        assertThat(disk.totalReads()).as("rescans look at stamps, and read only what changed").isEqualTo(reads + 1);
    }

    @Test
    void aConfigMapVolumeSwapIsFollowed() throws IOException {
        // How the kubelet updates a ConfigMap volume: a new ..timestamp directory, then ..data renamed over.
        Path first = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.1"));
        Files.writeString(first.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(dir.resolve("web.yaml"), Path.of("..data/web.yaml"));
        start();
        assertThat(recorder.serviceKeys()).containsExactly("demo/web");

        Path second = Files.createDirectories(dir.resolve("..2026_01_01_00_01_00.2"));
        Files.writeString(second.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 81));
        Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
        Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        assertThat(recorder.events).containsExactly("ADD Service demo/web", "SYNCED Service", "SYNCED EndpointSlice",
                "SYNCED Node", "UPDATE Service demo/web");
    }

    @Test
    void aSingleFileIsFollowedThroughReplaceAndRemoval() throws IOException {
        Path file = dir.resolve("cluster.manifest");
        Files.writeString(file, service("demo", "web", "10.96.0.10", 80));
        Files.writeString(dir.resolve("other.yaml"), service("demo", "other", "10.96.0.11", 80));
        start(file, Duration.ofHours(1));
        assertThat(recorder.serviceKeys()).containsExactly("demo/web");

        replaceAtomically(file, service("demo", "web", "10.96.0.10", 81));
        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();

        Files.delete(file);
        assertThat(await(() -> recorder.serviceKeys().isEmpty())).isTrue();
        Files.writeString(file, service("demo", "web", "10.96.0.10", 82));
        assertThat(await(() -> recorder.serviceKeys().equals(List.of("demo/web")))).isTrue();
        assertThat(disk.reads.keySet()).containsExactly(file);
    }

    @Test
    void anObjectInTwoFilesIsTakenFromTheLastAndFallsBackWhenThatGoes() throws IOException {
        Files.writeString(dir.resolve("a.yaml"), service("demo", "web", "10.96.0.10", 80));
        Path b = dir.resolve("b.yaml");
        Files.writeString(b, service("demo", "web", "10.96.0.10", 81));
        start();
        assertThat(recorder.service("demo/web").getSpec().getPorts().getFirst().getPort()).isEqualTo(81);
        assertThat(log.warnings()).singleElement().asString()
                .isEqualTo("Service demo/web in " + b + ": also in " + dir.resolve("a.yaml") + "; the one in " + b
                        + " is used");

        Files.delete(b);

        assertThat(await(() -> recorder.service("demo/web").getSpec().getPorts().getFirst().getPort() == 80)).isTrue();
        assertThat(recorder.events).contains("UPDATE Service demo/web").doesNotContain("DELETE Service demo/web");
    }

    // ---- what the disk does wrong: one line each, and the rest is still followed ----------------

    @Test
    void aDirectoryThatCannotBeListedKeepsWhatWasReadFromItAndTheRestIsFollowed() throws IOException {
        Path locked = Files.createDirectories(dir.resolve("locked"));
        Files.writeString(locked.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80));
        Path api = dir.resolve("api.yaml");
        Files.writeString(api, service("demo", "api", "10.96.0.11", 80));
        start(dir, Duration.ofMillis(100));

        disk.unlistable.add(locked);
        Files.writeString(api, service("demo", "api", "10.96.0.11", 81));

        assertThat(await(() -> recorder.service("demo/api").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        assertThat(await(() -> !log.warnings().isEmpty())).isTrue();
        awaitRescans(3);
        assertThat(log.warnings()).containsExactly(locked + ": cannot list the directory: permission denied; "
                + "keeping what was read from it");
        assertThat(recorder.serviceKeys()).containsExactly("demo/api", "demo/web");
        assertThat(log.anyThrown()).isFalse();

        disk.unlistable.clear();
        Files.writeString(locked.resolve("more.yaml"), service("demo", "more", "10.96.0.12", 80));
        assertThat(await(() -> recorder.serviceKeys().contains("demo/more"))).isTrue();
        assertThat(recorder.serviceKeys()).containsExactly("demo/api", "demo/more", "demo/web");
    }

    @Test
    void aFileRemovedBetweenListingAndReadingIsGoneAndTheOthersLoad() throws IOException {
        Path web = dir.resolve("web.yaml");
        Files.writeString(web, service("demo", "web", "10.96.0.10", 80));
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 80));
        disk.beforeRead = file -> {
            if (file.equals(web)) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };

        start();

        assertThat(recorder.serviceKeys()).containsExactly("demo/api");
        assertThat(log.warnings()).isEmpty();
        assertThat(log.anyThrown()).isFalse();
    }

    @Test
    void aSymbolicLinkLoopIsOneLineOnceAndTheOthersLoad() throws IOException {
        Files.createSymbolicLink(dir.resolve("loop-a.yaml"), dir.resolve("loop-b.yaml"));
        Files.createSymbolicLink(dir.resolve("loop-b.yaml"), dir.resolve("loop-a.yaml"));
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 80));

        start(dir, Duration.ofMillis(100));
        awaitRescans(3);

        assertThat(recorder.serviceKeys()).containsExactly("demo/api");
        assertThat(log.warnings()).containsExactly(
                dir.resolve("loop-a.yaml") + ": cannot read the file: too many levels of symbolic links; skipped",
                dir.resolve("loop-b.yaml") + ": cannot read the file: too many levels of symbolic links; skipped");
        assertThat(log.anyThrown()).isFalse();
    }

    @Test
    void aFileOfAHundredMegabytesIsOneLineOnceAndNeverRead() throws IOException {
        Path huge = dir.resolve("huge.yaml");
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(100L << 20); // sparse: costs no disk
        }
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 80));
        source = new FileSource(dir, "node-a", new ProxySelection(""), recorder, recorder, recorder,
                FileSource.Batching.NONE, disk, Duration.ofMillis(100), ManifestLoader.MAX_FILE_BYTES);
        source.start();
        Files.writeString(dir.resolve("api.yaml"), service("demo", "api", "10.96.0.11", 81));
        assertThat(await(() -> recorder.service("demo/api").getSpec().getPorts().getFirst().getPort() == 81)).isTrue();
        awaitRescans(3);

        assertThat(recorder.serviceKeys()).containsExactly("demo/api");
        assertThat(log.warnings()).as("once, however often the others change").containsExactly(huge
                + ": the file is 100.0 MiB, more than the 64.0 MiB a manifest may be; skipped");
        assertThat(disk.reads(huge)).isZero();
    }

    @Test
    void aMissingPathIsOneLineAndIsFollowedOnceItExists() throws IOException {
        Path later = dir.resolve("later");
        start(later, Duration.ofMillis(100));
        awaitRescans(3);
        assertThat(log.warnings()).containsExactly(later + ": no such file or directory; its manifests are followed "
                + "once it exists");

        Files.createDirectories(later);
        Files.writeString(later.resolve("web.yaml"), service("demo", "web", "10.96.0.10", 80));

        assertThat(await(() -> recorder.serviceKeys().equals(List.of("demo/web")))).isTrue();
    }

    /** Lets a few rescans of the given (short) period go by. */
    private static void awaitRescans(int count) {
        try {
            Thread.sleep(150L * count);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
