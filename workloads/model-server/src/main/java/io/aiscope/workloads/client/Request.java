package io.aiscope.workloads.client;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One request as it goes on the wire. {@code raw} marks bytes that are not (wholly) a valid request, whose record
 * carries them in base64 so a check can see exactly what was sent.
 */
record Request(String method, String path, boolean stream, boolean keepAlive, byte[] wire, boolean raw) {

    static Request get(int port, String path, boolean keepAlive) {
        return new Request("GET", path, false, keepAlive, head("GET", path, port, keepAlive, null, 0), false);
    }

    static Request postJson(int port, String path, String json, boolean stream, boolean keepAlive) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = head("POST", path, port, keepAlive, stream ? "text/event-stream" : "application/json", body.length);
        byte[] wire = new byte[head.length + body.length];
        System.arraycopy(head, 0, wire, 0, head.length);
        System.arraycopy(body, 0, wire, head.length, body.length);
        return new Request("POST", path, stream, keepAlive, wire, false);
    }

    /** Bytes sent as they are; method and path are what they claim to be, null when nothing does. */
    static Request raw(String method, String path, byte[] bytes) {
        return new Request(method, path, false, false, bytes, true);
    }

    String sentBase64() {
        return raw ? Base64.getEncoder().encodeToString(wire) : null;
    }

    private static byte[] head(String method, String path, int port, boolean keepAlive, String accept, int contentLength) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("User-Agent: aiscope-load-client\r\n");
        if (accept != null) {
            head.append("Accept: ").append(accept).append("\r\n")
                    .append("Content-Type: application/json\r\n")
                    .append("Content-Length: ").append(contentLength).append("\r\n");
        }
        if (!keepAlive) head.append("Connection: close\r\n");  // HTTP/1.1 connections are persistent otherwise
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
