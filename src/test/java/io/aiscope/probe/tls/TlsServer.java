package io.aiscope.probe.tls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTPS server for the tests, not traced: Python's http.server in OpenSSL, on 127.0.0.1 with a self-signed
 * certificate made here. {@code GET /bytes/N} answers N bytes with a Content-Length; {@code GET /reset} announces
 * a long body, sends part of it, waits, then resets the connection (SO_LINGER 0, no close_notify).
 */
final class TlsServer implements AutoCloseable {
    static final int RESET_SENT = 1000;

    private static final String SCRIPT = """
            import http.server, socket, ssl, struct, sys, time
            class Handler(http.server.BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def log_message(self, *args):
                    pass
                def do_GET(self):
                    if self.path == "/reset":
                        self.send_response(200)
                        self.send_header("Content-Length", "1000000")
                        self.end_headers()
                        self.wfile.write(b"r" * %d)
                        self.wfile.flush()
                        time.sleep(0.3)
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        self.connection.close()
                        self.close_connection = True
                        return
                    n = int(self.path.rsplit("/", 1)[1])
                    self.send_response(200)
                    self.send_header("Content-Length", str(n))
                    self.end_headers()
                    self.wfile.write(b"x" * n)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(sys.argv[1], sys.argv[2])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            server.socket = ctx.wrap_socket(server.socket, server_side=True)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """.formatted(RESET_SENT);

    private final Process process;
    private final Path cert;
    private final int port;

    TlsServer(Path dir) throws IOException, InterruptedException {
        cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process req = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!req.waitFor(60, TimeUnit.SECONDS) || req.exitValue() != 0) {
            throw new IOException("openssl req failed: " + Files.readString(dir.resolve("openssl.log")));
        }
        Path script = dir.resolve("tls_server.py");
        Files.writeString(script, SCRIPT);
        process = new ProcessBuilder("/usr/bin/python3", script.toString(), cert.toString(), key.toString())
                .redirectError(dir.resolve("server.log").toFile()).start();
        String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (first == null) {
            throw new IOException("the TLS server did not start: " + Files.readString(dir.resolve("server.log")));
        }
        port = Integer.parseInt(first.strip());
    }

    int port() {
        return port;
    }

    String url(String path) {
        return "https://127.0.0.1:" + port + path;
    }

    Path cert() {
        return cert;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
