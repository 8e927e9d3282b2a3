package io.switchyard.agent.traffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The traffic lab's client: opens {@code COUNT} new connections (TCP) or sends {@code COUNT}
 * datagrams from fresh sockets (UDP), one after the other, each from a new ephemeral source
 * port so iptables sees a new conntrack entry (and runs its statistic match) every time.
 *
 * <pre>java -cp test-classes io.switchyard.agent.traffic.TrafficClient tcp|udp IP PORT COUNT [TIMEOUT_MS]</pre>
 *
 * Prints a summary that {@link TrafficResult#parse} reads: one {@code answer NAME N} line per
 * backend, one {@code source IP N} line per source address the backends saw, and the failures
 * by kind — {@code refused} (RST or ICMP port unreachable: what REJECT gives, fast),
 * {@code unreachable} (ICMP host/network unreachable), {@code timeout} (no answer within the
 * timeout: what DROP gives) and {@code error} (anything else).
 */
public final class TrafficClient {

    enum Outcome { ANSWERED, REFUSED, UNREACHABLE, TIMEOUT, ERROR }

    private final Map<String, Integer> answers = new TreeMap<>();
    private final Map<String, Integer> sources = new TreeMap<>();
    private final Map<Outcome, Integer> outcomes = new TreeMap<>();
    private final Set<Integer> sourcePorts = new HashSet<>();
    private String firstError;

    private TrafficClient() {
    }

    public static void main(String[] args) {
        if (args.length < 4 || args.length > 5 || !(args[0].equals("tcp") || args[0].equals("udp"))) {
            System.err.println("usage: TrafficClient tcp|udp IP PORT COUNT [TIMEOUT_MS]");
            System.exit(64);
        }
        boolean tcp = args[0].equals("tcp");
        InetSocketAddress target;
        try {
            target = new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2]));
        } catch (IOException e) {
            System.err.println("bad address " + args[1] + ": " + e.getMessage());
            System.exit(64);
            return;
        }
        int count = Integer.parseInt(args[3]);
        int timeoutMillis = args.length == 5 ? Integer.parseInt(args[4]) : 1000;

        TrafficClient client = new TrafficClient();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            Outcome outcome = tcp ? client.tcpOnce(target, timeoutMillis) : client.udpOnce(target, timeoutMillis);
            client.outcomes.merge(outcome, 1, Integer::sum);
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        client.printSummary(elapsedMillis);
    }

    private Outcome tcpOnce(InetSocketAddress target, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(target, timeoutMillis);
            sourcePorts.add(socket.getLocalPort());
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            return answered(in.readLine());
        } catch (IOException e) {
            return failed(e);
        }
    }

    private Outcome udpOnce(InetSocketAddress target, int timeoutMillis) {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(target);
            sourcePorts.add(socket.getLocalPort());
            socket.setSoTimeout(timeoutMillis);
            byte[] request = "hello\n".getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(request, request.length));
            byte[] buffer = new byte[2048];
            DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
            socket.receive(reply);
            return answered(new String(buffer, 0, reply.getLength(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return failed(e);
        }
    }

    private Outcome answered(String line) {
        if (line == null || line.isBlank()) {
            return error("connection closed without an answer");
        }
        String[] words = line.strip().split("\\s+");
        answers.merge(words[0], 1, Integer::sum);
        if (words.length > 1) {
            sources.merge(words[1], 1, Integer::sum);
        }
        return Outcome.ANSWERED;
    }

    private Outcome failed(IOException e) {
        Outcome outcome = switch (e) {
            case SocketTimeoutException t -> Outcome.TIMEOUT;
            case PortUnreachableException p -> Outcome.REFUSED;
            case NoRouteToHostException n -> Outcome.UNREACHABLE;
            case ConnectException c when String.valueOf(c.getMessage()).contains("refused") -> Outcome.REFUSED;
            case ConnectException c -> Outcome.UNREACHABLE;
            default -> Outcome.ERROR;
        };
        if (firstError == null) {
            firstError = e.toString();
        }
        return outcome;
    }

    private Outcome error(String message) {
        if (firstError == null) {
            firstError = message;
        }
        return Outcome.ERROR;
    }

    private void printSummary(long elapsedMillis) {
        StringBuilder out = new StringBuilder();
        answers.forEach((name, n) -> out.append("answer ").append(name).append(' ').append(n).append('\n'));
        sources.forEach((ip, n) -> out.append("source ").append(ip).append(' ').append(n).append('\n'));
        for (Outcome outcome : Outcome.values()) {
            if (outcome != Outcome.ANSWERED) {
                out.append(outcome.name().toLowerCase(java.util.Locale.ROOT)).append(' ')
                        .append(outcomes.getOrDefault(outcome, 0)).append('\n');
            }
        }
        out.append("source-ports ").append(sourcePorts.size()).append('\n');
        out.append("elapsed-ms ").append(elapsedMillis).append('\n');
        if (firstError != null) {
            out.append("first-error ").append(firstError.replace('\n', ' ')).append('\n');
        }
        System.out.print(out);
        System.out.flush();
    }
}
