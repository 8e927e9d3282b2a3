package io.switchyard.agent.traffic;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The continuous client of {@link SyncSafetyTest}: opens new TCP connections to one address,
 * back to back, until its standard input reaches end-of-file (or a time cap runs out), and
 * prints one line per connection with when it started and ended:
 *
 * <pre>
 * START &lt;nanoTime&gt;
 * C &lt;startNanos&gt; &lt;endNanos&gt; OK &lt;backend&gt; &lt;peer-ip-the-backend-saw&gt;
 * C &lt;startNanos&gt; &lt;endNanos&gt; FAIL &lt;timeout|refused|unreachable|reset|closed|error&gt; &lt;message&gt;
 * END &lt;connections&gt;
 * </pre>
 *
 * Times are {@link System#nanoTime()}: on Linux that is CLOCK_MONOTONIC, which every process of
 * the machine shares (network namespaces have no clock of their own), so the test compares them
 * with its own; the START line lets it check that. Every connection comes from a fresh socket
 * (a new ephemeral port), so the node's conntrack sees a new flow and runs the nat rules for it.
 *
 * <p>A connection ends with a reset once the answer and the server's FIN are in: tens of
 * thousands of connections from one address, masqueraded to one address, reuse source ports
 * within a minute, and a pod still holding the previous connection of a port in TIME_WAIT may
 * refuse the new SYN (PAWS), which costs a SYN retransmission and sometimes the whole timeout.
 * That is the lab's artifact, not the rules', so no connection leaves a TIME_WAIT behind (and the
 * node's conntrack forgets a reset connection after 10 s instead of 120 s).
 *
 * <pre>java -cp test-classes io.switchyard.agent.traffic.ProbeClient IP PORT TIMEOUT_MS MAX_SECONDS</pre>
 */
public final class ProbeClient {

    private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static volatile boolean stop;

    private ProbeClient() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ProbeClient IP PORT TIMEOUT_MS MAX_SECONDS");
            System.exit(64);
        }
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int timeoutMillis = Integer.parseInt(args[2]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));

        Thread watchdog = new Thread(ProbeClient::awaitEndOfInput, "stdin-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, StandardCharsets.UTF_8);
        out.println("START " + System.nanoTime());
        out.flush();
        long connections = 0;
        long lastFlush = System.nanoTime();
        StringBuilder line = new StringBuilder(128);
        while (!stop && System.nanoTime() < deadline) {
            long start = System.nanoTime();
            String outcome = once(target, timeoutMillis);
            long end = System.nanoTime();
            line.setLength(0);
            line.append("C ").append(start).append(' ').append(end).append(' ').append(outcome);
            out.println(line);
            connections++;
            if (end - lastFlush >= FLUSH_NANOS) {
                out.flush();
                lastFlush = end;
            }
        }
        out.println("END " + connections);
        out.flush();
        System.exit(0);
    }

    private static void awaitEndOfInput() {
        InputStream stdin = System.in;
        try {
            while (stdin.read() >= 0) {
                // keep reading until the parent closes the pipe or goes away
            }
        } catch (IOException ignored) {
            // treat like end-of-file
        }
        stop = true;
    }

    private static String once(InetSocketAddress target, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(target, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String answer = in.readLine();
            if (answer == null || answer.isBlank()) {
                return "FAIL closed connection closed without an answer";
            }
            String[] words = answer.strip().split("\\s+");
            // The server closes first; once its FIN is here, abort instead of closing politely, so
            // that neither side keeps the connection in TIME_WAIT (see the class comment).
            if (in.read() < 0) {
                socket.setSoLinger(true, 0);
            }
            return "OK " + words[0] + " " + (words.length > 1 ? words[1] : "-");
        } catch (IOException e) {
            String kind = switch (e) {
                case SocketTimeoutException t -> "timeout";
                case NoRouteToHostException n -> "unreachable";
                case ConnectException c when String.valueOf(c.getMessage()).contains("refused") -> "refused";
                case ConnectException c -> "unreachable";
                case SocketException s when String.valueOf(s.getMessage()).toLowerCase().contains("reset") -> "reset";
                default -> "error";
            };
            return "FAIL " + kind + " " + String.valueOf(e).replace('\n', ' ');
        }
    }
}
