package io.aiscope.workloads.server;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Ends an exchange's connection with a TCP reset, as a crashing or overloaded server's peer would see it: linger
 * 0, then close, with no TLS close_notify and no HTTP end. HttpServer does not expose the socket, so it is read
 * from the JDK's implementation classes (JDK 25's field names); the jar's manifest opens
 * {@code jdk.httpserver/sun.net.httpserver} for that.
 */
final class ConnectionReset {
    private ConnectionReset() {
    }

    static void reset(HttpExchange exchange) throws IOException {
        SocketChannel channel = channel(exchange);
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        channel.close();
        exchange.close();  // finds the channel closed, and only releases the connection
    }

    private static SocketChannel channel(HttpExchange exchange) {
        try {
            Object impl = field(exchange.getClass(), "impl").get(exchange);
            Object connection = field(impl.getClass(), "connection").get(impl);
            return (SocketChannel) field(connection.getClass(), "chan").get(connection);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach the socket of " + exchange.getClass().getName()
                    + " (is jdk.httpserver/sun.net.httpserver open to this code?)", e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}
