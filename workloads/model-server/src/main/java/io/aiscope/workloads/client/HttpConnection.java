package io.aiscope.workloads.client;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;

/**
 * One client TCP connection, numbered in the order the client opened it. Each {@link #send} is one write call
 * on the socket (Nagle off), so a request leaves as the scenario shaped it, pipelined ones included.
 */
final class HttpConnection implements Closeable {
    private final int id;
    private final Socket socket;
    private final OutputStream out;
    private final TimedInput in;

    HttpConnection(int id, int port, int readTimeoutMs) throws IOException {
        this.id = id;
        socket = new Socket(InetAddress.getByName("127.0.0.1"), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(readTimeoutMs);
        out = socket.getOutputStream();
        in = new TimedInput(socket.getInputStream());
    }

    int id() {
        return id;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** Writes the bytes in one call; returns {@link System#nanoTime()} just before the write. */
    long send(byte[] bytes) throws IOException {
        long start = System.nanoTime();
        out.write(bytes);
        return start;
    }

    /** Reads the next response, as far as it gets; a failure is kept in the response, not thrown. */
    Response receive(int stopAfterEvents) {
        Response response = new Response();
        try {
            ResponseReader.read(in, response, stopAfterEvents);
        } catch (IOException | RuntimeException e) {
            response.failure = e.toString();
        }
        return response;
    }

    /** Closes with a reset (SO_LINGER 0) instead of a FIN: the server's next write fails at once. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
