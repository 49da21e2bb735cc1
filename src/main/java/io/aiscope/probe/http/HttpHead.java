package io.aiscope.probe.http;

import java.nio.charset.StandardCharsets;

/**
 * The start line and the few headers of an HTTP/1.x message head that decide how its body is framed and read.
 * One instance per direction of a connection, refilled by every {@link #parse}: a busy server parses a head per
 * request, so this allocates nothing but the method-independent path string (and a Host value that differs
 * from the previous head's).
 */
final class HttpHead {
    /** Longest request or status line accepted: longer ones are garbage or an attack, not a request to time. */
    static final int MAX_LINE = 8192;

    private static final String[] METHODS = {
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];
    private static final byte[] HTTP1 = ascii("HTTP/1.");
    private static final byte[] CONTENT_LENGTH = ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    private static final byte[] CONTENT_TYPE = ascii("content-type");
    private static final byte[] CONTENT_ENCODING = ascii("content-encoding");
    private static final byte[] HOST = ascii("host");
    /** Longer than any host name and port (253 + 6): a longer value is not kept. */
    private static final int MAX_HOST = 262;
    private static final byte[] CHUNKED = ascii("chunked");
    private static final byte[] IDENTITY = ascii("identity");
    private static final byte[] EVENT_STREAM = ascii("text/event-stream");

    static {
        for (int i = 0; i < METHODS.length; i++) {
            METHOD_BYTES[i] = ascii(METHODS[i]);
        }
    }

    /** A constant from {@link #METHODS}; null for a response. */
    String method;
    /** Request target without query or fragment; the authority for CONNECT; null for a response. */
    String path;
    int status;
    /** The Host header's value as sent; null when absent. */
    String host;
    /** -1 when absent. */
    long contentLength;
    /** Transfer-Encoding was present; {@link #chunked} when its final coding is chunked. */
    boolean transferEncoding;
    boolean chunked;
    boolean eventStream;
    /** A Content-Encoding other than identity: the body bytes are not the JSON or SSE text they encode. */
    boolean encoded;
    /** The capture ended inside the head: only the lines before the cut were read. */
    boolean truncated;
    /** The host of an earlier head, to be reused. */
    private String lastHost;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The method whose token, followed by a space, starts {@code b[off..end)}; null otherwise (including when the
     * bytes end before the space).
     */
    static String methodAt(byte[] b, int off, int end) {
        if (off == end) {
            return null;
        }
        for (int i = 0; i < METHODS.length; i++) {
            byte[] m = METHOD_BYTES[i];
            if (b[off] == m[0] && end - off > m.length && b[off + m.length] == ' ' && startsWith(b, off, end, m)) {
                return METHODS[i];
            }
        }
        return null;
    }

    /** Whether {@code b[off..end)} begins a status line ("HTTP/1.x "). */
    static boolean statusLineAt(byte[] b, int off, int end) {
        return end - off > HTTP1.length + 1 && startsWith(b, off, end, HTTP1) && isDigit(b[off + HTTP1.length])
                && b[off + HTTP1.length + 1] == ' ';
    }

    /** Whether {@code b[off..end)} begins a message of the kind, judging by all the bytes there. */
    static boolean startsMessage(boolean request, byte[] b, int off, int end) {
        return request ? methodAt(b, off, end) != null : statusLineAt(b, off, end);
    }

    /**
     * Whether {@code b[off..end)} could be the beginning of a message of the kind: a prefix of a method token and
     * space, or of "HTTP/1.". Lets a reader reject garbage at once instead of buffering it as a partial head and
     * swallowing the valid message that follows.
     */
    static boolean plausibleStart(boolean request, byte[] b, int off, int end) {
        if (off == end) {
            return true;
        }
        if (!request) {
            return prefixOf(b, off, end, HTTP1);
        }
        for (byte[] m : METHOD_BYTES) {
            int n = Math.min(end - off, m.length + 1);
            if (b[off] == m[0] && prefixOf(b, off, off + Math.min(n, m.length), m)
                    && (n <= m.length || b[off + m.length] == ' ')) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixOf(byte[] b, int off, int end, byte[] word) {
        int n = Math.min(end - off, word.length);
        for (int i = 0; i < n; i++) {
            if (b[off + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int off, int end, byte[] word) {
        return end - off >= word.length && prefixOf(b, off, end, word);
    }

    /**
     * Index just past the empty line that ends a head starting at or before {@code from}, searching
     * {@code b[from..end)}; -1 when the head goes on. Bare LF line ends are accepted, as RFC 9112 lets a recipient.
     */
    static int findEnd(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == '\n') {
                if (i + 1 < end && b[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < end && b[i + 1] == '\r' && b[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * Reads a head from {@code b[off..end)}. With {@code truncated} the bytes stop where the capture did: the start
     * line must be whole, the last, partial header line is ignored. False when the bytes are not a valid head.
     */
    boolean parse(boolean request, byte[] b, int off, int end, boolean truncated) {
        method = null;
        path = null;
        status = 0;
        lastHost = host != null ? host : lastHost;
        host = null;
        contentLength = -1;
        transferEncoding = false;
        chunked = false;
        eventStream = false;
        encoded = false;
        this.truncated = truncated;
        int nl = indexOf(b, (byte) '\n', off, end);
        if (nl < 0 || nl - off > MAX_LINE) {
            return false;
        }
        if (!(request ? requestLine(b, off, trimCr(b, off, nl)) : statusLine(b, off, trimCr(b, off, nl)))) {
            return false;
        }
        int p = nl + 1;
        while (p < end) {
            nl = indexOf(b, (byte) '\n', p, end);
            if (nl < 0) {
                return truncated;
            }
            int stop = trimCr(b, p, nl);
            if (stop == p) {
                return true;
            }
            if (b[p] != ' ' && b[p] != '\t' && !header(b, p, stop)) {
                return false;
            }
            // A line starting with whitespace continues the previous field (obsolete folding): nothing we read.
            p = nl + 1;
        }
        return truncated;
    }

    private static int trimCr(byte[] b, int from, int nl) {
        return nl > from && b[nl - 1] == '\r' ? nl - 1 : nl;
    }

    private static int indexOf(byte[] b, byte c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private boolean requestLine(byte[] b, int off, int end) {
        method = methodAt(b, off, end);
        if (method == null) {
            return false;
        }
        int t = off + method.length() + 1;
        int sp = indexOf(b, (byte) ' ', t, end);
        if (sp <= t || !version(b, sp + 1, end)) {
            return false;
        }
        for (int i = t; i < sp; i++) {
            if (b[i] <= ' ' || b[i] == 0x7f) {
                return false;
            }
        }
        path = path(b, t, sp);
        return path != null;
    }

    private static boolean version(byte[] b, int off, int end) {
        return end - off == HTTP1.length + 1 && startsWith(b, off, end, HTTP1) && isDigit(b[end - 1]);
    }

    private String path(byte[] b, int t, int end) {
        if ("CONNECT".equals(method)) {
            return new String(b, t, end - t, StandardCharsets.ISO_8859_1);
        }
        if (b[t] == '*' && end - t == 1) {
            return "*";
        }
        int start = t;
        if (b[t] != '/') {
            // absolute-form (to a proxy): the path begins at the first '/' after "scheme://".
            int scheme = indexOf(b, (byte) ':', t, end);
            if (scheme <= t || end - scheme < 3 || b[scheme + 1] != '/' || b[scheme + 2] != '/') {
                return null;
            }
            start = indexOf(b, (byte) '/', scheme + 3, end);
            if (start < 0) {
                return "/";
            }
        }
        int stop = start;
        while (stop < end && b[stop] != '?' && b[stop] != '#') {
            stop++;
        }
        return new String(b, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    private boolean statusLine(byte[] b, int off, int end) {
        int s = off + HTTP1.length + 2;
        if (!statusLineAt(b, off, end) || end - s < 3 || (end - s > 3 && b[s + 3] != ' ')) {
            return false;
        }
        if (!isDigit(b[s]) || !isDigit(b[s + 1]) || !isDigit(b[s + 2]) || b[s] == '0') {
            return false;
        }
        status = (b[s] - '0') * 100 + (b[s + 1] - '0') * 10 + (b[s + 2] - '0');
        return true;
    }

    private boolean header(byte[] b, int off, int end) {
        int colon = indexOf(b, (byte) ':', off, end);
        if (colon <= off) {
            return false;
        }
        for (int i = off; i < colon; i++) {
            if (b[i] <= ' ' || b[i] == 0x7f) {
                return false;
            }
        }
        int v = colon + 1;
        int ve = end;
        while (v < ve && (b[v] == ' ' || b[v] == '\t')) {
            v++;
        }
        while (ve > v && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) {
            ve--;
        }
        if (nameIs(b, off, colon, CONTENT_LENGTH)) {
            return contentLength(b, v, ve);
        }
        if (nameIs(b, off, colon, TRANSFER_ENCODING)) {
            transferEncoding = true;
            int last = ve;
            while (last > v && b[last - 1] != ',' && b[last - 1] != ' ' && b[last - 1] != '\t') {
                last--;
            }
            chunked = equalsIgnoreCase(b, last, ve, CHUNKED);
        } else if (nameIs(b, off, colon, CONTENT_TYPE)) {
            eventStream = ve - v >= EVENT_STREAM.length && equalsIgnoreCase(b, v, v + EVENT_STREAM.length, EVENT_STREAM);
        } else if (nameIs(b, off, colon, CONTENT_ENCODING)) {
            encoded = ve > v && !equalsIgnoreCase(b, v, ve, IDENTITY);
        } else if (nameIs(b, off, colon, HOST) && ve > v && ve - v <= MAX_HOST) {
            host = host(b, v, ve);
        }
        return true;
    }

    /** A connection's requests name the same host: the previous head's string serves again. */
    private String host(byte[] b, int v, int ve) {
        String previous = lastHost;
        if (previous != null && previous.length() == ve - v) {
            int i = 0;
            while (i < ve - v && previous.charAt(i) == (b[v + i] & 0xff)) {
                i++;
            }
            if (i == ve - v) {
                return previous;
            }
        }
        return new String(b, v, ve - v, StandardCharsets.ISO_8859_1);
    }

    /** Digits only; a second, different value is the request smuggling RFC 9112 says to refuse. */
    private boolean contentLength(byte[] b, int v, int ve) {
        if (ve == v || ve - v > 18) {
            return false;
        }
        long n = 0;
        for (int i = v; i < ve; i++) {
            if (!isDigit(b[i])) {
                return false;
            }
            n = n * 10 + (b[i] - '0');
        }
        if (contentLength >= 0 && contentLength != n) {
            return false;
        }
        contentLength = n;
        return true;
    }

    private static boolean nameIs(byte[] b, int off, int end, byte[] lowerName) {
        return end - off == lowerName.length && equalsIgnoreCase(b, off, end, lowerName);
    }

    /** ASCII case folding against a lower-case word: header names and the values we compare are ASCII. */
    private static boolean equalsIgnoreCase(byte[] b, int off, int end, byte[] lower) {
        if (end - off != lower.length) {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            byte c = b[off + i];
            byte w = lower[i];
            if (c != w && !(w >= 'a' && w <= 'z' && c == w - ('a' - 'A'))) {
                return false;
            }
        }
        return true;
    }
}
