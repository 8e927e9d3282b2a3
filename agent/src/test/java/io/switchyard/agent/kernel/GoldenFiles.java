package io.switchyard.agent.kernel;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The recorded kube-proxy fixtures on the test classpath, for the tests that compare against them. */
final class GoldenFiles {

    private GoldenFiles() {
    }

    /** A test resource directory or file as a path. */
    static Path resource(String path) {
        try {
            return Path.of(GoldenFiles.class.getResource(path).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One file of a fixture directory. */
    static String read(Path dir, String name) {
        try {
            return Files.readString(dir.resolve(name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
