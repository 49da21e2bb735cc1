package io.aiscope.probe.tcp;

/** Socket addresses as the kernel hands them over (network byte order, IPv4 in the first 4 of 16 bytes). */
public final class TcpAddresses {
    static final int AF_INET = 2, AF_INET6 = 10;

    private TcpAddresses() {}

    /** Dotted quad for IPv4; RFC 5952 text for IPv6 (lowercase, longest zero run as "::", "::ffff:a.b.c.d"). */
    public static String format(int family, byte[] addr) {
        if (family == AF_INET) {
            return ipv4(addr, 0);
        }
        if (family != AF_INET6) {
            return "?";
        }
        if (isV4Mapped(addr)) {
            return "::ffff:" + ipv4(addr, 12);
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = (addr[2 * i] & 0xff) << 8 | (addr[2 * i + 1] & 0xff);
        }
        // The longest run of two or more zero words (the first of equals) becomes "::".
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(words[i]));
        }
        return s.toString();
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    private static String ipv4(byte[] a, int at) {
        return (a[at] & 0xff) + "." + (a[at + 1] & 0xff) + "." + (a[at + 2] & 0xff) + "." + (a[at + 3] & 0xff);
    }
}
