package io.switchyard.agent.fault;

import com.sun.net.httpserver.HttpServer;
import io.switchyard.agent.bench.SimulatedApiServer;
import io.switchyard.agent.iptables.SavedRules;
import io.switchyard.agent.kernel.NetworkNamespace;
import io.switchyard.netlink.NetworkNamespaces;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What a test reaches inside a network namespace from the test JVM: an API server whose socket
 * lives there, the agent's HTTP ports on the namespace's loopback, and the namespace's rules.
 * Sockets are opened on a throwaway thread that joined the namespace; the threads that then use
 * them stay where they are.
 */
final class NamespaceAccess {

    /** What an HTTP probe got: a status code, or that nothing listened. */
    static final int REFUSED = -1;

    private NamespaceAccess() {
    }

    static Path path(NetworkNamespace ns) {
        return Path.of("/var/run/netns", ns.name());
    }

    /** Brings the namespace's loopback up: the agent's ports and the API server live there. */
    static void loopbackUp(NetworkNamespace ns) {
        ns.exec(null, "ip", "link", "set", "lo", "up").requireSuccess("ip link set lo up");
    }

    /**
     * A simulated API server listening on 127.0.0.1 inside {@code ns} (its socket opened there,
     * again after {@code comeBack()}), served by threads of the test JVM.
     */
    static SimulatedApiServer apiServer(NetworkNamespace ns) throws IOException {
        Path netns = path(ns);
        return new SimulatedApiServer(address -> NetworkNamespaces.callIn(netns, () -> HttpServer.create(address, 0)));
    }

    /** GETs {@code path} from 127.0.0.1:{@code port} inside the namespace: the status, or {@link #REFUSED}. */
    static int httpStatus(NetworkNamespace ns, int port, String path) {
        return NetworkNamespaces.callIn(path(ns), () -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                socket.setSoTimeout(5000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                String[] status = response.split(" ", 3);
                return status.length >= 2 ? Integer.parseInt(status[1]) : 0;
            } catch (ConnectException e) {
                return REFUSED;
            }
        });
    }

    /** The namespace's IPv4 rules as iptables-save prints them. */
    static String save(NetworkNamespace ns) {
        return ns.exec(null, "iptables-save").requireSuccess("iptables-save").stdout();
    }

    /** The namespace's IPv4 rules, normalised (no counters, stable order) for comparison. */
    static String rules(NetworkNamespace ns) {
        return SavedRules.normalise(save(ns));
    }
}
