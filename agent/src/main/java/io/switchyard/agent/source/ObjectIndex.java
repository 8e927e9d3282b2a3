package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.switchyard.agent.convert.Problem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The objects the manifests hold, file by file: the only copy of them the file source keeps.
 * When several files hold the same object, the one last in path order is in effect (the order
 * in which {@link ManifestLoader} reads a directory). Replacing one file's objects yields
 * exactly the differences the handlers must hear of, at a cost proportional to that file.
 */
final class ObjectIndex {

    /** One object's change as handlers hear it: no {@code before} for an add, no {@code after} for a delete. */
    record Change(KubernetesObject before, KubernetesObject after) {
    }

    private final Map<Path, Map<ObjectKey, KubernetesObject>> files = new HashMap<>();
    /** The files holding each object, in path order: almost always exactly one. */
    private final Map<ObjectKey, List<Path>> holders = new HashMap<>();

    /** The objects {@code file} holds now (whether in effect or not). */
    Map<ObjectKey, KubernetesObject> objectsOf(Path file) {
        return files.getOrDefault(file, Map.of());
    }

    /** How many objects are in effect. */
    int size() {
        return holders.size();
    }

    /**
     * Makes {@code objects} the objects of {@code file} (none: forgets the file), adding the
     * changes in effect to {@code changes} and an object held by another file too to
     * {@code duplicates}.
     */
    void replace(Path file, Map<ObjectKey, KubernetesObject> objects, List<Change> changes, List<Problem> duplicates) {
        Map<ObjectKey, KubernetesObject> old = files.getOrDefault(file, Map.of());
        for (Map.Entry<ObjectKey, KubernetesObject> entry : old.entrySet()) {
            if (!objects.containsKey(entry.getKey())) {
                update(file, entry.getKey(), entry.getValue(), null, changes, duplicates);
            }
        }
        for (Map.Entry<ObjectKey, KubernetesObject> entry : objects.entrySet()) {
            update(file, entry.getKey(), old.get(entry.getKey()), entry.getValue(), changes, duplicates);
        }
        if (objects.isEmpty()) {
            files.remove(file);
        } else {
            files.put(file, Map.copyOf(objects));
        }
    }

    /** One key of the file: its holders, and the change in effect (the file's map is not updated yet). */
    private void update(Path file, ObjectKey key, KubernetesObject oldObject, KubernetesObject newObject,
                        List<Change> changes, List<Problem> duplicates) {
        List<Path> before = holders.getOrDefault(key, List.of());
        KubernetesObject effectiveBefore = before.isEmpty() ? null
                : before.getLast().equals(file) ? oldObject : files.get(before.getLast()).get(key);
        List<Path> after = before;
        if (oldObject == null && newObject != null) {
            after = with(before, file);
            if (after.size() > 1) {
                duplicates.add(new Problem(key + " in " + file, "also in " + String.join(", ",
                        after.stream().filter(p -> !p.equals(file)).map(Path::toString).toList())
                        + "; the one in " + after.getLast() + " is used"));
            }
        } else if (oldObject != null && newObject == null) {
            after = without(before, file);
        }
        if (after.isEmpty()) {
            holders.remove(key);
        } else if (after != before) {
            holders.put(key, after);
        }
        KubernetesObject effectiveAfter = after.isEmpty() ? null
                : after.getLast().equals(file) ? newObject : files.get(after.getLast()).get(key);
        if (effectiveBefore != effectiveAfter && !Objects.equals(effectiveBefore, effectiveAfter)) {
            changes.add(new Change(effectiveBefore, effectiveAfter));
        }
    }

    private static List<Path> with(List<Path> paths, Path file) {
        if (paths.isEmpty()) {
            return List.of(file);
        }
        List<Path> out = new ArrayList<>(paths);
        out.add(file);
        out.sort(null);
        return List.copyOf(out);
    }

    private static List<Path> without(List<Path> paths, Path file) {
        return paths.size() == 1 ? List.of() : paths.stream().filter(p -> !p.equals(file)).toList();
    }
}
