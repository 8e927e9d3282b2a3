package io.switchyard.agent.source;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * How the file source reaches the disk: listing a directory, looking at a file, reading one. A
 * seam, so that tests can count reads and make a listing or a read fail as a real disk may.
 */
interface ManifestDisk {

    /** The entries of a directory. */
    List<Path> list(Path directory) throws IOException;

    /** What is at {@code path} now, through symbolic links or not. */
    BasicFileAttributes attributes(Path path, boolean followLinks) throws IOException;

    /** The whole content of a file. */
    byte[] read(Path file) throws IOException;

    /** The real disk. */
    ManifestDisk LOCAL = new ManifestDisk() {
        private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
        private static final LinkOption[] FOLLOW = {};

        @Override
        public List<Path> list(Path directory) throws IOException {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
                stream.forEach(entries::add);
            } catch (DirectoryIteratorException e) {
                throw e.getCause();
            }
            return entries;
        }

        @Override
        public BasicFileAttributes attributes(Path path, boolean followLinks) throws IOException {
            return Files.readAttributes(path, BasicFileAttributes.class, followLinks ? FOLLOW : NO_FOLLOW);
        }

        @Override
        public byte[] read(Path file) throws IOException {
            return Files.readAllBytes(file);
        }
    };
}
