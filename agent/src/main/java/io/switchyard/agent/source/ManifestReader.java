package io.switchyard.agent.source;

import io.kubernetes.client.common.KubernetesObject;
import io.switchyard.agent.convert.Problem;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a manifest file again after it changed, at the cost of what changed: the file is cut
 * at its YAML document markers ({@code ---} at the start of a line, which YAML forbids inside
 * any scalar), each document is known by a digest of its bytes, and a document read cleanly
 * before is not decoded again. So an edit of one object in a file of ten thousand decodes one
 * document. Whatever does not fit this (JSON, a file with directives or {@code ...} markers, a
 * document with a problem) is decoded whole by {@link ManifestLoader}, which then says exactly
 * where the problem is.
 */
final class ManifestReader {

    /** The clean documents of a file's last read, by digest: what the next read may reuse. */
    record Documents(Map<Digest, List<KubernetesObject>> byDigest) {
        static final Documents NONE = new Documents(Map.of());
    }

    /** A document's identity: the first 128 bits of the SHA-256 of its bytes. */
    record Digest(long high, long low) {
    }

    /** What one read of a file gave. */
    sealed interface Outcome {

        /**
         * The file was read; {@code decoded} counts the documents decoded this time (the rest
         * were reused), or is -1 when the file was decoded whole.
         */
        record Read(List<KubernetesObject> objects, List<ManifestLoader.Rejected> rejected, List<Problem> problems,
                    Documents documents, int decoded) implements Outcome {
        }

        /** Nothing could be read; {@code reason} says why without naming the file. */
        record Unreadable(String reason, Documents documents) implements Outcome {
        }
    }

    private final MessageDigest sha256;

    ManifestReader() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Reads {@code bytes}, the content of {@code file}, reusing what {@code previous} holds. */
    Outcome read(Path file, byte[] bytes, Documents previous) {
        int[] starts = documentStarts(bytes);
        if (starts == null) {
            return whole(file, bytes, Documents.NONE);
        }
        Map<Digest, List<KubernetesObject>> documents = new HashMap<>();
        List<KubernetesObject> objects = new ArrayList<>();
        boolean clean = true;
        int decoded = 0;
        for (int i = 0; i < starts.length; i++) {
            int from = starts[i];
            int to = i + 1 < starts.length ? starts[i + 1] : bytes.length;
            Digest digest = digest(bytes, from, to);
            List<KubernetesObject> known = documents.get(digest);
            if (known == null) {
                known = previous.byDigest().get(digest);
            }
            if (known == null && clean) {
                decoded++;
                if (ManifestLoader.decode(file, bytes, from, to) instanceof ManifestLoader.Decoded.Read read
                        && read.problems().isEmpty()) {
                    known = List.copyOf(read.objects());
                } else {
                    clean = false; // the whole file is decoded below, to say where the problem is
                }
            }
            if (known != null) {
                documents.put(digest, known);
                objects.addAll(known);
            }
        }
        Documents kept = new Documents(Map.copyOf(documents));
        if (!clean) {
            return whole(file, bytes, kept);
        }
        return new Outcome.Read(objects, List.of(), List.of(), kept, decoded);
    }

    private static Outcome whole(Path file, byte[] bytes, Documents kept) {
        return switch (ManifestLoader.decode(file, bytes, 0, bytes.length)) {
            case ManifestLoader.Decoded.Read read ->
                    new Outcome.Read(read.objects(), read.rejected(), read.problems(), kept, -1);
            case ManifestLoader.Decoded.Unreadable unreadable -> new Outcome.Unreadable(unreadable.reason(), kept);
        };
    }

    private Digest digest(byte[] bytes, int from, int to) {
        sha256.update(bytes, from, to - from);
        ByteBuffer hash = ByteBuffer.wrap(sha256.digest());
        return new Digest(hash.getLong(), hash.getLong());
    }

    /**
     * Where each YAML document of the text starts: at 0, then at each line that is a document
     * marker. Null when the file must be decoded whole: JSON (one document), or YAML with
     * directives ({@code %} lines, which belong to the next document) or document end markers.
     */
    static int[] documentStarts(byte[] bytes) {
        int first = startsWithBom(bytes) ? 3 : 0;
        for (int i = first; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '{' || b == '[') {
                return null;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                break;
            }
        }
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int line = first; line < bytes.length; ) {
            if (bytes[line] == '%' || marker(bytes, line, (byte) '.')) {
                return null;
            }
            if (line > first && marker(bytes, line, (byte) '-')) {
                starts.add(line);
            }
            int end = line;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            line = end + 1;
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether the line at {@code at} is three {@code c} followed by a blank or the line's end. */
    private static boolean marker(byte[] bytes, int at, byte c) {
        if (at + 3 > bytes.length || bytes[at] != c || bytes[at + 1] != c || bytes[at + 2] != c) {
            return false;
        }
        if (at + 3 == bytes.length) {
            return true;
        }
        byte next = bytes[at + 3];
        return next == ' ' || next == '\t' || next == '\r' || next == '\n';
    }

    private static boolean startsWithBom(byte[] bytes) {
        return bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF;
    }
}
