package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.switchyard.agent.convert.Problem;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The manifest files under the followed path, and what each last gave. Each file keeps its
 * stamp (size, modification time, inode), so that a refresh reads only the files whose stamp
 * changed, and decodes of those only the documents that changed ({@link ManifestReader}). A
 * file that cannot be read keeps the objects of its last good read, an object that cannot be
 * read keeps its last good version, a file that is gone takes its objects with it, and each
 * failure is reported once, on one line.
 */
final class ManifestTree {

    private static final System.Logger LOG = System.getLogger(FileSource.class.getName());

    /** What changes when a file's content does (the inode too, when a file is replaced by a rename). */
    record FileStamp(long size, FileTime modified, Object fileKey, boolean regular) {
        static FileStamp of(BasicFileAttributes attributes) {
            return new FileStamp(attributes.size(), attributes.lastModifiedTime(), attributes.fileKey(),
                    attributes.isRegularFile());
        }
    }

    /** One file's state between refreshes. */
    private static final class FileState {
        /** At the last read; null when the file must be read at the next refresh. */
        FileStamp stamp;
        ManifestReader.Documents documents = ManifestReader.Documents.NONE;
        /** The failure last reported, null when the last read was good. */
        String failure;
    }

    private final Path root;
    private final ManifestDisk disk;
    private final long maxFileBytes;
    private final Predicate<KubernetesObject> wanted;
    private final Consumer<Path> onDirectory;
    private final ManifestReader reader = new ManifestReader();
    private final ObjectIndex index = new ObjectIndex();
    private final Map<Path, FileState> files = new HashMap<>();
    private final Set<Path> directories = new HashSet<>();
    /** The failure last reported for the root or a directory. */
    private final Map<Path, String> failures = new HashMap<>();
    private boolean directoryMode;
    private long reads;

    /**
     * @param wanted      which decoded objects count (the others are as good as absent)
     * @param onDirectory told of every directory listed, so that it can be watched
     */
    ManifestTree(Path root, ManifestDisk disk, long maxFileBytes, Predicate<KubernetesObject> wanted,
                 Consumer<Path> onDirectory) {
        this.root = root;
        this.disk = disk;
        this.maxFileBytes = maxFileBytes;
        this.wanted = wanted;
        this.onDirectory = onDirectory;
    }

    /** How many objects are in effect. */
    int objects() {
        return index.size();
    }

    /** How many times a file was read, since the start. */
    long reads() {
        return reads;
    }

    /** Brings everything under the root up to date with the disk, adding the changes in effect to {@code changes}. */
    void refreshAll(List<ObjectIndex.Change> changes) {
        refresh(root, changes);
    }

    /**
     * Brings what is at {@code path} (a file or directory under the root, or one that is gone)
     * up to date with the disk, adding the changes in effect to {@code changes}.
     */
    void refresh(Path path, List<ObjectIndex.Change> changes) {
        if (path.equals(root)) {
            refreshRoot(changes);
            return;
        }
        if (!directoryMode || !path.startsWith(root)) {
            return;
        }
        BasicFileAttributes attributes = attributesOrNull(path);
        if (attributes != null && attributes.isDirectory()) {
            if (!hidden(path)) {
                refreshDirectory(path, changes);
            }
            return;
        }
        if (directories.contains(path)) {
            forgetUnder(path, changes); // a directory that went away
        }
        if (ManifestLoader.isManifest(path)) {
            refreshFile(path, attributes, changes);
        }
    }

    private void refreshRoot(List<ObjectIndex.Change> changes) {
        BasicFileAttributes attributes;
        try {
            attributes = disk.attributes(root, true);
        } catch (NoSuchFileException e) {
            report(root, "no such file or directory; its manifests are followed once it exists");
            forgetUnder(root, changes);
            return;
        } catch (IOException e) {
            report(root, "cannot look at it: " + ManifestLoader.reason(e) + "; keeping what was read from it");
            return;
        }
        cleared(root);
        if (attributes.isDirectory()) {
            if (!directoryMode) {
                forgetUnder(root, changes);
                directoryMode = true;
            }
            refreshDirectory(root, changes);
        } else {
            if (directoryMode) {
                forgetUnder(root, changes);
                directoryMode = false;
            }
            refreshFile(root, attributes, changes);
        }
    }

    /** Lists a directory tree, reads the files that changed, forgets those that are gone. */
    private void refreshDirectory(Path directory, List<ObjectIndex.Change> changes) {
        Map<Path, BasicFileAttributes> found = new TreeMap<>();
        Set<Path> listed = new HashSet<>();
        List<Path> unlisted = new ArrayList<>();
        scan(directory, found, listed, unlisted);
        found.forEach((file, attributes) -> refreshFile(file, attributes, changes));
        for (Path file : List.copyOf(files.keySet())) {
            if (file.startsWith(directory) && !found.containsKey(file)
                    && unlisted.stream().noneMatch(file::startsWith)) {
                forget(file, changes);
            }
        }
        directories.removeIf(d -> d.startsWith(directory) && !listed.contains(d)
                && unlisted.stream().noneMatch(d::startsWith));
    }

    /**
     * Walks a directory, without following links to directories nor entering hidden ones:
     * manifests into {@code found} (with what the listing saw, or null to look again), the
     * directories listed into {@code listed}, those that could not be into {@code unlisted}.
     */
    private void scan(Path directory, Map<Path, BasicFileAttributes> found, Set<Path> listed, List<Path> unlisted) {
        List<Path> entries;
        try {
            entries = disk.list(directory);
        } catch (NoSuchFileException e) {
            return; // went away meanwhile: it has nothing
        } catch (IOException e) {
            report(directory, "cannot list the directory: " + ManifestLoader.reason(e)
                    + "; keeping what was read from it");
            unlisted.add(directory);
            return;
        }
        cleared(directory);
        listed.add(directory);
        directories.add(directory);
        onDirectory.accept(directory);
        for (Path entry : entries) {
            if (hidden(entry)) {
                continue; // editors' and tools' temporary files, .git, ConfigMap volumes' ..data
            }
            BasicFileAttributes attributes;
            try {
                attributes = disk.attributes(entry, false);
            } catch (NoSuchFileException e) {
                continue; // removed since the listing
            } catch (IOException e) {
                attributes = null;
            }
            if (attributes != null && attributes.isDirectory()) {
                scan(entry, found, listed, unlisted);
            } else if (ManifestLoader.isManifest(entry)) {
                found.put(entry, attributes == null || attributes.isSymbolicLink() ? null : attributes);
            }
        }
    }

    /** Reads a file again if its stamp changed; {@code attributes} are what a listing saw, or null. */
    private void refreshFile(Path file, BasicFileAttributes attributes, List<ObjectIndex.Change> changes) {
        if (attributes == null || attributes.isSymbolicLink()) {
            try {
                attributes = disk.attributes(file, true);
            } catch (NoSuchFileException e) {
                forget(file, changes);
                return;
            } catch (IOException e) {
                fail(file, null, "cannot read the file: " + ManifestLoader.reason(e));
                return;
            }
        }
        FileStamp stamp = FileStamp.of(attributes);
        FileState state = files.get(file);
        if (state != null && stamp.equals(state.stamp)) {
            return;
        }
        if (!stamp.regular()) {
            fail(file, stamp, "not a regular file");
            return;
        }
        if (stamp.size() > maxFileBytes) {
            fail(file, stamp, ManifestLoader.tooLarge(stamp.size(), maxFileBytes));
            return;
        }
        byte[] bytes;
        try {
            reads++;
            bytes = disk.read(file);
        } catch (NoSuchFileException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> new Problem(file.toString(), "removed while being read").toString());
            forget(file, changes);
            return;
        } catch (IOException e) {
            fail(file, null, "cannot read the file: " + ManifestLoader.reason(e));
            return;
        }
        if (bytes.length > maxFileBytes) {
            fail(file, null, ManifestLoader.tooLarge(bytes.length, maxFileBytes));
            return;
        }
        state = files.computeIfAbsent(file, f -> new FileState());
        switch (reader.read(file, bytes, state.documents)) {
            case ManifestReader.Outcome.Unreadable unreadable -> {
                state.documents = unreadable.documents();
                fail(file, stamp, unreadable.reason());
            }
            case ManifestReader.Outcome.Read read -> accept(file, state, stamp, read, changes);
        }
    }

    /** Takes a good read: its objects, and the last good version of each that could not be read. */
    private void accept(Path file, FileState state, FileStamp stamp, ManifestReader.Outcome.Read read,
                        List<ObjectIndex.Change> changes) {
        Map<ObjectKey, KubernetesObject> objects = new LinkedHashMap<>();
        for (KubernetesObject object : read.objects()) {
            ObjectKey key = ObjectKey.of(object);
            if (key != null && wanted.test(object)) {
                objects.put(key, object);
            }
        }
        Map<ObjectKey, KubernetesObject> before = index.objectsOf(file);
        Map<Problem, ManifestLoader.Rejected> kept = new IdentityHashMap<>();
        for (ManifestLoader.Rejected rejected : read.rejected()) {
            KubernetesObject lastGood = before.get(rejected.key());
            if (lastGood != null && !objects.containsKey(rejected.key())) {
                objects.put(rejected.key(), lastGood);
                kept.put(rejected.problem(), rejected);
            }
        }
        for (Problem problem : read.problems()) {
            ManifestLoader.Rejected rejected = kept.get(problem);
            LOG.log(System.Logger.Level.WARNING, rejected == null ? problem.toString()
                    : new Problem(problem.object(), rejected.reason() + "; keeping its last good version").toString());
        }
        if (state.failure != null) {
            LOG.log(System.Logger.Level.INFO, new Problem(file.toString(), "readable again").toString());
        }
        state.stamp = stamp;
        state.documents = read.documents();
        state.failure = null;
        List<Problem> duplicates = new ArrayList<>();
        index.replace(file, objects, changes, duplicates);
        duplicates.forEach(d -> LOG.log(System.Logger.Level.WARNING, d.toString()));
    }

    /**
     * A file that cannot be read: it keeps the objects of its last good read. Reported when
     * the file changed ({@code stamp} is then not null) or the reason did.
     */
    private void fail(Path file, FileStamp stamp, String reason) {
        FileState state = files.computeIfAbsent(file, f -> new FileState());
        if (stamp != null || !reason.equals(state.failure)) {
            int kept = index.objectsOf(file).size();
            LOG.log(System.Logger.Level.WARNING, new Problem(file.toString(), reason + (kept == 0 ? "; skipped"
                    : "; keeping the " + kept + (kept == 1 ? " object" : " objects") + " of its last good read"))
                    .toString());
        }
        state.stamp = stamp;
        state.failure = reason;
    }

    private void forget(Path file, List<ObjectIndex.Change> changes) {
        if (files.remove(file) != null || !index.objectsOf(file).isEmpty()) {
            index.replace(file, Map.of(), changes, new ArrayList<>());
        }
    }

    /** Forgets every file and directory at or under {@code path}. */
    private void forgetUnder(Path path, List<ObjectIndex.Change> changes) {
        for (Path file : List.copyOf(files.keySet())) {
            if (file.startsWith(path)) {
                forget(file, changes);
            }
        }
        directories.removeIf(d -> d.startsWith(path));
    }

    private BasicFileAttributes attributesOrNull(Path path) {
        try {
            return disk.attributes(path, false);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reports a failure of the root or a directory, once until it changes. */
    private void report(Path path, String reason) {
        if (!reason.equals(failures.put(path, reason))) {
            LOG.log(System.Logger.Level.WARNING, new Problem(path.toString(), reason).toString());
        }
    }

    private void cleared(Path path) {
        if (failures.remove(path) != null) {
            LOG.log(System.Logger.Level.INFO, new Problem(path.toString(), "readable again").toString());
        }
    }

    private static boolean hidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }
}
