package io.switchyard.agent.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** The real disk, counting reads per file, with directories whose listing is refused and a hook before each read. */
final class CountingDisk implements ManifestDisk {
    final Map<Path, Integer> reads = new ConcurrentHashMap<>();
    final Set<Path> unlistable = ConcurrentHashMap.newKeySet();
    volatile Consumer<Path> beforeRead = file -> { };

    @Override
    public List<Path> list(Path directory) throws IOException {
        if (unlistable.contains(directory)) {
            throw new AccessDeniedException(directory.toString());
        }
        return LOCAL.list(directory);
    }

    @Override
    public BasicFileAttributes attributes(Path path, boolean followLinks) throws IOException {
        return LOCAL.attributes(path, followLinks);
    }

    @Override
    public byte[] read(Path file) throws IOException {
        reads.merge(file, 1, Integer::sum);
        beforeRead.accept(file);
        return LOCAL.read(file);
    }

    int reads(Path file) {
        return reads.getOrDefault(file, 0);
    }

    int totalReads() {
        return reads.values().stream().mapToInt(Integer::intValue).sum();
    }
}
