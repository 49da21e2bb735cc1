package io.aiscope.probe.proc;

import io.aiscope.probe.tcp.TcpAddresses;

import java.nio.charset.StandardCharsets;

/** A struct sockaddr as a connect(2) caller passed it (x86-64, address and port in network byte order). */
public final class SocketAddresses {
    public static final String UNREADABLE = "(unreadable)";
    private static final int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    private static final int SUN_PATH = 2, SIN_ADDR = 4, SIN6_ADDR = 8;

    /** Where a connect went: an IP literal and port, or a Unix socket path ("@name" for the abstract namespace). */
    public record Endpoint(String address, int port) {}

    private SocketAddresses() {}

    /** The first {@code length} bytes of {@code sockaddr}; too short for its family reads as unreadable. */
    public static Endpoint decode(byte[] sockaddr, int length) {
        int n = Math.min(length, sockaddr.length);
        if (n < 2) {
            return new Endpoint(UNREADABLE, 0);
        }
        int family = (sockaddr[0] & 0xff) | (sockaddr[1] & 0xff) << 8;
        return switch (family) {
            case AF_INET -> n < SIN_ADDR + 4 ? new Endpoint(UNREADABLE, 0)
                    : new Endpoint(TcpAddresses.format(AF_INET, slice(sockaddr, SIN_ADDR, 4)), port(sockaddr));
            case AF_INET6 -> n < SIN6_ADDR + 16 ? new Endpoint(UNREADABLE, 0)
                    : new Endpoint(TcpAddresses.format(AF_INET6, slice(sockaddr, SIN6_ADDR, 16)), port(sockaddr));
            case AF_UNIX -> new Endpoint(unixPath(sockaddr, n), 0);
            case AF_UNSPEC -> new Endpoint("unspec", 0); // dissolves a datagram socket's association
            default -> new Endpoint("family " + family, 0);
        };
    }

    private static int port(byte[] a) {
        return (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static byte[] slice(byte[] a, int from, int n) {
        byte[] b = new byte[16];
        System.arraycopy(a, from, b, 0, n);
        return b;
    }

    /** A pathname ends at its NUL (or at the length given); an abstract name starts with NUL and uses every byte. */
    private static String unixPath(byte[] a, int n) {
        if (n == SUN_PATH) {
            return "(unnamed)";
        }
        if (a[SUN_PATH] == 0) {
            return "@" + new String(a, SUN_PATH + 1, n - SUN_PATH - 1, StandardCharsets.UTF_8);
        }
        int end = SUN_PATH;
        while (end < n && a[end] != 0) {
            end++;
        }
        return new String(a, SUN_PATH, end - SUN_PATH, StandardCharsets.UTF_8);
    }
}
