package io.switchyard.agent.traffic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A client that keeps one UDP flow alive, as a resolver talking to DNS does: every datagram from
 * the same socket (so the same conntrack entry), one every {@code INTERVAL_MS}, printing for each
 * {@code <monotonic ms> <backend>} or {@code <monotonic ms> timeout}. Exits after {@code COUNT}.
 *
 * <pre>java -cp test-classes io.switchyard.agent.traffic.StickyUdpClient IP PORT COUNT INTERVAL_MS</pre>
 */
public final class StickyUdpClient {

    private StickyUdpClient() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        int count = Integer.parseInt(args[2]);
        long interval = Long.parseLong(args[3]);
        byte[] buffer = new byte[512];
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.setSoTimeout((int) Math.max(50, interval - 20));
            System.out.println("READY " + socket.getLocalPort());
            for (int i = 0; i < count; i++) {
                long sent = System.nanoTime();
                byte[] ping = ("ping " + i + "\n").getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(ping, ping.length, target));
                String answer;
                try {
                    DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                    socket.receive(reply);
                    answer = new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).strip().split(" ")[0];
                } catch (SocketTimeoutException e) {
                    answer = "timeout";
                }
                System.out.println(sent / 1_000_000 + " " + answer);
                System.out.flush();
                long left = interval - (System.nanoTime() - sent) / 1_000_000;
                if (left > 0) {
                    Thread.sleep(left);
                }
            }
        }
    }
}
