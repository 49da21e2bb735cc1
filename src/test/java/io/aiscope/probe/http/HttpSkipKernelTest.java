package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connections found not HTTP are skipped in the kernel (skip_socks, by socket cookie): their calls cost no copy
 * and no record, while HTTP connections opened right after them, on sockets that may reuse their memory, are
 * still read in full.
 */
@Tag("kernel")
class HttpSkipKernelTest {
    private static final int WRITES = 2000;
    private static final int KEEP_ALIVE_REQUESTS = 5;
    private static final int ROUNDS = 20;

    /**
     * One process, both ends of every connection: a binary connection of many small writes (it pauses after its
     * first write, so that aiscope has decided before the rest), then a keep-alive HTTP connection, then rounds of
     * a one-write binary connection closed at once (aiscope decides after its close) followed by an HTTP request
     * on a new connection. Prints the calls that moved bytes on the long binary connection.
     */
    private static final String SCRIPT = """
            import http.client, http.server, json, socket, sys, threading, time
            writes, keep_alive, rounds = map(int, sys.argv[1:4])
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args):
                    pass
                def do_GET(self):
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(4)
            def binary(n, pause):
                c = socket.create_connection(listener.getsockname())
                s, _ = listener.accept()
                reads = [0]
                def drain():
                    while s.recv(65536):
                        reads[0] += 1
                t = threading.Thread(target=drain)
                t.start()
                for i in range(n):
                    c.sendall(b"\\x16\\x03\\x01" + bytes(61)) # a TLS record header: no HTTP request
                    if i == 0:
                        time.sleep(pause)
                c.close()
                t.join()
                s.close()
                return n + reads[0]
            def get(conn, path):
                conn.request("GET", path)
                r = conn.getresponse()
                assert r.read() == b"ok"
            calls = binary(writes, 0.5)
            conn = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1])
            for i in range(keep_alive):
                get(conn, "/keep/%d" % i)
            conn.close()
            for i in range(rounds):
                binary(1, 0)
                conn = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1])
                get(conn, "/round/%d" % i)
                conn.close()
            print(json.dumps({"calls": calls}))
            """;

    @Test
    void nonHttpConnectionIsSkippedInTheKernelAndHttpAfterItIsReadInFull() throws Exception {
        Path script = Files.createTempDirectory("aiscope-http-skip").resolve("skip.py");
        Files.writeString(script, SCRIPT);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "http"), "/usr/bin/python3", script.toString(),
                Integer.toString(WRITES), Integer.toString(KEEP_ALIVE_REQUESTS), Integer.toString(ROUNDS));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        long calls = Aiscope.JSON.readTree(t.result().stdout()).get("calls").asLong();
        JsonNode http = t.report().get("http");
        // Every HTTP request, seen by its client and its server: none lost to a skipped socket's reused memory.
        assertThat(http.get("requests").asLong()).as(http.toString()).isEqualTo(2L * (KEEP_ALIVE_REQUESTS + ROUNDS));
        assertThat(http.get("errors").asLong()).isZero();
        assertThat(http.get("parse_errors").asLong()).isZero();
        assertThat(http.get("non_http_connections").asLong()).isEqualTo(2L * (1 + ROUNDS)); // both ends of each
        assertThat(http.get("skip_failures").asLong()).isZero();
        // Only the long connection's first write and the read(s) of it before aiscope's decision are not skipped;
        // the short connections' read may be skipped too.
        assertThat(http.get("skipped_calls").asLong()).isBetween(calls - 4, calls + ROUNDS);
        // Read: the HTTP calls (about ten per request, both sides: some 250) and the binary connections' first ones,
        // far fewer than the long connection's calls.
        assertThat(http.get("calls_read").asLong()).isLessThan(WRITES / 4);
        assertThat(t.report().at("/agent/dropped").asLong()).isZero();
        assertThat(t.result().stderr()).containsPattern("calls on non-HTTP connections skipped");
    }
}
