package io.switchyard.agent.traffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A backend pod's server for the traffic lab: answers every TCP connection or UDP datagram with
 * one line, {@code <name> <peer-ip>}, so the client learns which backend answered and which
 * source address that backend saw (the client's own, or the node's masquerade address).
 *
 * <pre>java -cp test-classes io.switchyard.agent.traffic.EchoServer NAME tcp|udp PORT</pre>
 *
 * Prints {@code READY} once bound. Exits when its standard input reaches end-of-file, so a
 * server never outlives the test JVM that started it (the lab keeps the pipe open).
 */
public final class EchoServer {

    private EchoServer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !(args[1].equals("tcp") || args[1].equals("udp"))) {
            System.err.println("usage: EchoServer NAME tcp|udp PORT");
            System.exit(64);
        }
        String name = args[0];
        int port = Integer.parseInt(args[2]);
        if (args[1].equals("tcp")) {
            serveTcp(name, port);
        } else {
            serveUdp(name, port);
        }
    }

    private static void serveTcp(String name, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port), 1024);
        ready();
        while (true) {
            Socket connection = server.accept();
            Thread.ofVirtual().start(() -> answer(name, connection));
        }
    }

    /** Reads the client's line first, so closing never resets a connection with unread data. */
    private static void answer(String name, Socket connection) {
        try (connection) {
            connection.setSoTimeout(5_000);
            var in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
            in.readLine();
            OutputStream out = connection.getOutputStream();
            out.write(reply(name, connection.getInetAddress().getHostAddress()));
            out.flush();
            connection.shutdownOutput();
        } catch (IOException e) {
            System.err.println(name + ": " + e);
        }
    }

    private static void serveUdp(String name, int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port));
        ready();
        byte[] buffer = new byte[2048];
        while (true) {
            DatagramPacket request = new DatagramPacket(buffer, buffer.length);
            socket.receive(request);
            byte[] answer = reply(name, request.getAddress().getHostAddress());
            socket.send(new DatagramPacket(answer, answer.length, request.getSocketAddress()));
        }
    }

    private static byte[] reply(String name, String peer) {
        return (name + " " + peer + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void ready() {
        Thread watchdog = new Thread(() -> {
            InputStream stdin = System.in;
            try {
                while (stdin.read() >= 0) {
                    // keep reading until the parent goes away
                }
            } catch (IOException ignored) {
                // treat like end-of-file
            }
            System.exit(0);
        }, "stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.out.println("READY");
        System.out.flush();
    }
}
