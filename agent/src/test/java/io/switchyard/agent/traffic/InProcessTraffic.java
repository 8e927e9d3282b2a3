package io.switchyard.agent.traffic;

import io.switchyard.netlink.NetworkNamespaces;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The traffic lab's servers and clients inside this JVM, for kernels where starting a JVM per
 * server and per client costs too much (the emulated VM): a socket opened on a thread that
 * joined a namespace stays in that namespace, so servers and clients are threads here whose
 * sockets live in the backend and client namespaces. A server answers every line of a TCP
 * connection, and every UDP datagram, with {@code <name> <peer-ip>}, as {@link EchoServer} does.
 */
final class InProcessTraffic implements AutoCloseable {

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    /** A TCP connection held open, answered line by line. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Sends a line and returns the name of the backend that answered. */
        String ask() throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = in.readLine();
            if (answer == null) {
                throw new IOException("connection closed without an answer");
            }
            return answer.split(" ")[0];
        }

        /** Ends the connection with a reset, so neither side keeps it in TIME_WAIT. */
        void abort() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Path path(String namespace) {
        return Path.of("/var/run/netns", namespace);
    }

    /** A TCP server in a namespace, named {@code name}, on every address. */
    void tcpServer(String namespace, String name, int port) {
        ServerSocket server = NetworkNamespaces.callIn(path(namespace), () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port), 128);
            return s;
        });
        open.add(server);
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    open.add(connection);
                    Thread.ofVirtual().start(() -> answerLines(name, connection));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void answerLines(String name, Socket connection) {
        try (connection) {
            var in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = connection.getOutputStream();
            while (in.readLine() != null) {
                out.write((name + " " + connection.getInetAddress().getHostAddress() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A UDP server in a namespace, named {@code name}. */
    void udpServer(String namespace, String name, int port) {
        DatagramSocket socket = NetworkNamespaces.callIn(path(namespace),
                () -> new DatagramSocket(new InetSocketAddress(port)));
        open.add(socket);
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[1500];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                    socket.receive(request);
                    byte[] answer = (name + " " + request.getAddress().getHostAddress() + "\n")
                            .getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(answer, answer.length, request.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /**
     * {@code count} new TCP connections from a namespace, one line each; per backend name how
     * many it answered, failures under {@code "failed"}.
     */
    Map<String, Integer> tcp(String namespace, String ip, int port, int count) {
        return NetworkNamespaces.callIn(path(namespace), () -> {
            Map<String, Integer> answers = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                String answer;
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip, port), 2000);
                    socket.setSoTimeout(2000);
                    answer = new Connection(socket).ask();
                    socket.setSoLinger(true, 0);
                } catch (IOException e) {
                    answer = "failed";
                }
                answers.merge(answer, 1, Integer::sum);
            }
            return answers;
        });
    }

    /** {@code count} datagrams from fresh sockets in a namespace; answers per backend, failures under "failed". */
    Map<String, Integer> udp(String namespace, String ip, int port, int count) {
        return NetworkNamespaces.callIn(path(namespace), () -> {
            Map<String, Integer> answers = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                String answer;
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.setSoTimeout(2000);
                    byte[] request = "hello\n".getBytes(StandardCharsets.UTF_8);
                    socket.send(new DatagramPacket(request, request.length, new InetSocketAddress(ip, port)));
                    byte[] buffer = new byte[1500];
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    answer = new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8).split(" ")[0];
                } catch (IOException e) {
                    answer = "failed";
                }
                answers.merge(answer, 1, Integer::sum);
            }
            return answers;
        });
    }

    /** A TCP connection from a namespace, held open. */
    Connection connect(String namespace, String ip, int port) {
        return NetworkNamespaces.callIn(path(namespace), () -> {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(ip, port), 2000);
            socket.setSoTimeout(2000);
            open.add(socket);
            return new Connection(socket);
        });
    }

    @Override
    public void close() {
        for (AutoCloseable closeable : open.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                // closing what may have closed itself
            }
        }
    }
}
