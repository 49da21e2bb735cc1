package io.aiscope.workloads.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Runs the JDK's socket write and read paths before the first timed request. Their first calls load classes and
 * run interpreted for milliseconds between the client's clock read and the system call, time no observer of the
 * socket can see; a tracer's figures would then differ from the client's for reasons of the client's own. The
 * bytes are not HTTP, so the warm-up adds no request to what a tracer counts.
 */
public final class SocketWarmUp {
    private static final int ROUNDS = 2000;
    private static final byte[] PING = "warm-up, not HTTP\n".getBytes(StandardCharsets.US_ASCII);

    private SocketWarmUp() {}

    public static void run() throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket server = listener.accept()) {
            client.setTcpNoDelay(true);
            OutputStream out = client.getOutputStream();
            InputStream in = server.getInputStream();
            byte[] buffer = new byte[PING.length];
            long sink = 0;
            for (int i = 0; i < ROUNDS; i++) {
                sink += System.nanoTime();
                out.write(PING);
                in.readNBytes(buffer, 0, buffer.length);
            }
            if (sink == 42) {
                System.err.print(""); // keeps the clock reads from being optimised away
            }
        }
    }
}
