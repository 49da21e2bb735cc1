package io.aiscope.probe.tls;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Real clients over real OpenSSL against a local HTTPS server (not traced): every request is found in the plaintext
 * with its exact path, status, bytes and ports, marked TLS, timed as the client timed it where it can.
 */
@Tag("kernel")
class TlsRequestsKernelTest {
    private static final List<String> PATHS = List.of("/bytes/10", "/bytes/20000", "/bytes/300");
    private static Path dir;
    private static TlsServer server;

    @BeforeAll
    static void startServer() throws Exception {
        dir = Files.createTempDirectory("aiscope-tls");
        server = new TlsServer(dir);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    /** curl (SSL_write/SSL_read, one keep-alive connection): its own -w figures are the reference. */
    @Test
    void curlRequestsMatchWhatCurlMeasured() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--cacert", server.cert().toString(), "-w",
                "%{time_total} %{time_pretransfer} %{size_request} %{size_header} %{size_download} %{local_port}\\n"));
        for (String p : PATHS) {
            cmd.addAll(List.of(server.url(p), "-o", "/dev/null"));
        }
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"), cmd.toArray(String[]::new));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).as(tls.toString()).isEqualTo(PATHS.size());
        assertThat(tls.get("parse_errors").asLong()).isZero();
        String[] lines = t.result().stdout().strip().split("\n");
        for (int i = 0; i < PATHS.size(); i++) {
            String[] f = lines[i].split(" ");
            double measuredMs = (Double.parseDouble(f[0]) - Double.parseDouble(f[1])) * 1000;
            JsonNode r = request(tls, PATHS.get(i));
            assertThat(r.get("status").asInt()).isEqualTo(200);
            assertThat(r.get("role").asText()).isEqualTo("client");
            assertThat(r.get("tls").asBoolean()).isTrue();
            assertThat(r.get("outcome").asText()).isEqualTo("complete");
            assertThat(r.get("request_bytes").asLong()).isEqualTo(Long.parseLong(f[2]));
            assertThat(r.get("response_bytes").asLong()).isEqualTo(Long.parseLong(f[3]) + Long.parseLong(f[4]));
            assertThat(r.get("local_port").asInt()).isEqualTo(Integer.parseInt(f[5]));
            assertThat(r.get("remote_port").asInt()).isEqualTo(server.port());
            assertThat(r.get("latency_ms").asDouble()).as(r.toString())
                    .isCloseTo(measuredMs, org.assertj.core.data.Offset.offset(Math.max(0.02 * measuredMs, 1.0)));
        }
        JsonNode handshakes = tls.get("handshakes");
        assertThat(handshakes.get("count").asLong()).isEqualTo(1); // one keep-alive connection
        assertThat(handshakes.get("p50_ms").asDouble()).isPositive();
        assertThat(handshakes.get("unfinished").asLong()).isZero();
        assertThat(t.result().stderr()).contains("[tls] 3 requests").contains("1 handshakes");
    }

    /** Python's http.client (SSL_write_ex/SSL_read_ex), one connection per request: bytes counted by the client. */
    @ParameterizedTest
    @ValueSource(strings = {"/usr/bin/python3", "/root/.pyenv/versions/3.11.7/bin/python3"})
    void pythonRequestsMatchWhatPythonMeasured(String python) throws Exception {
        assumeThat(Path.of(python)).as("this machine's python").isExecutable();
        Path client = dir.resolve("client.py");
        Files.writeString(client, """
                import http.client, json, ssl, sys, time
                ctx = ssl.create_default_context(cafile=sys.argv[1])
                for path in sys.argv[3:]:
                    c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[2]), context=ctx)
                    c.connect()
                    sent = [0]
                    send = c.send
                    def counting(data, send=send, sent=sent):
                        sent[0] += len(data)
                        send(data)
                    c.send = counting
                    t = time.monotonic()
                    c.request("GET", path)
                    r = c.getresponse()
                    body = r.read()
                    ms = (time.monotonic() - t) * 1000
                    head = len("HTTP/1.1 %d %s\\r\\n" % (r.status, r.reason)) + 2
                    head += sum(len(k) + len(v) + 4 for k, v in r.getheaders())
                    print(json.dumps({"path": path, "status": r.status, "ms": ms, "sent": sent[0],
                                      "received": head + len(body), "port": c.sock.getsockname()[1]}))
                    c.close()
                """);
        List<String> cmd = new ArrayList<>(List.of(python, client.toString(), server.cert().toString(),
                Integer.toString(server.port())));
        cmd.addAll(PATHS);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"), cmd.toArray(String[]::new));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).as(tls.toString()).isEqualTo(PATHS.size());
        for (String line : t.result().stdout().strip().split("\n")) {
            JsonNode m = Aiscope.JSON.readTree(line);
            JsonNode r = request(tls, m.get("path").asText());
            assertThat(r.get("status").asInt()).isEqualTo(m.get("status").asInt());
            assertThat(r.get("tls").asBoolean()).isTrue();
            assertThat(r.get("request_bytes").asLong()).isEqualTo(m.get("sent").asLong());
            assertThat(r.get("response_bytes").asLong()).isEqualTo(m.get("received").asLong());
            assertThat(r.get("local_port").asInt()).isEqualTo(m.get("port").asInt());
            assertThat(r.get("remote_port").asInt()).isEqualTo(server.port());
            double measuredMs = m.get("ms").asDouble();
            assertThat(r.get("latency_ms").asDouble()).as(r.toString())
                    .isCloseTo(measuredMs, org.assertj.core.data.Offset.offset(Math.max(0.02 * measuredMs, 1.0)));
        }
        assertThat(tls.at("/handshakes/count").asLong()).isEqualTo(PATHS.size());
        assertThat(tls.get("streams").asLong()).isEqualTo(PATHS.size());
    }

    /**
     * Node links OpenSSL into its executable and moves ciphertext itself (memory BIOs): the executable is probed by
     * symbol and each stream finds its socket from the thread's reads. Node drives the handshake through SSL_read, so
     * no handshake is timed.
     */
    @Test
    void nodeFetchRequestsAreFoundInTheExecutable() throws Exception {
        Path client = dir.resolve("client.mjs");
        Files.writeString(client, """
                for (const path of process.argv.slice(3)) {
                  const r = await fetch(process.argv[2] + path);
                  const body = await r.arrayBuffer();
                  let head = `HTTP/1.1 ${r.status} ${r.statusText}\\r\\n`.length + 2;
                  for (const [k, v] of r.headers) head += k.length + v.length + 4;
                  console.log(JSON.stringify({path, status: r.status, received: head + body.byteLength}));
                }
                """);
        List<String> cmd = new ArrayList<>(List.of("env", "NODE_EXTRA_CA_CERTS=" + server.cert(), "node",
                client.toString(), server.url("")));
        cmd.addAll(PATHS);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"), cmd.toArray(String[]::new));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).as(tls.toString()).isEqualTo(PATHS.size());
        assertThat(StreamSupport.stream(t.report().at("/agent/libraries").spliterator(), false)
                .map(l -> l.get("path").asText())).contains("/usr/bin/node");
        for (String line : t.result().stdout().strip().split("\n")) {
            JsonNode m = Aiscope.JSON.readTree(line);
            JsonNode r = request(tls, m.get("path").asText());
            assertThat(r.get("status").asInt()).isEqualTo(m.get("status").asInt());
            assertThat(r.get("tls").asBoolean()).isTrue();
            assertThat(r.get("outcome").asText()).isEqualTo("complete");
            assertThat(r.get("request_bytes").asLong()).isPositive();
            assertThat(r.get("response_bytes").asLong()).isEqualTo(m.get("received").asLong());
            assertThat(r.get("remote_port").asInt()).isEqualTo(server.port());
            assertThat(r.get("local_port").asInt()).isPositive().isNotEqualTo(server.port());
        }
    }

    /** The server resets the connection in the middle of a body: the exchange is cut short, not complete. */
    @Test
    void resetMidBodyIsAborted() {
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"), "curl", "-sS", "--cacert",
                server.cert().toString(), server.url("/reset"), "-o", "/dev/null");
        assertThat(t.result().exitCode()).as(t.result().stderr()).isNotZero(); // curl: connection reset
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).as(tls.toString()).isEqualTo(1);
        assertThat(tls.get("aborted").asLong()).isEqualTo(1);
        JsonNode r = request(tls, "/reset");
        assertThat(r.get("outcome").asText()).isEqualTo("aborted");
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("response_bytes").asLong()).isGreaterThan(TlsServer.RESET_SENT);
    }

    /** Random bytes written through TLS (openssl s_client): no request invented, nothing thrown. */
    @Test
    void garbagePlaintextInventsNoRequest() throws Exception {
        Path noise = dir.resolve("noise.bin");
        byte[] bytes = new byte[6000];
        new java.util.Random(42).nextBytes(bytes);
        Files.write(noise, bytes);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"), "sh", "-c",
                "openssl s_client -quiet -connect 127.0.0.1:" + server.port() + " < " + noise + " > /dev/null 2>&1; true");
        assertThat(t.result().exitCode()).isZero();
        assertThat(t.result().stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).as(tls.toString()).isZero();
        assertThat(tls.get("non_http_connections").asLong()).isEqualTo(1);
        assertThat(tls.get("streams").asLong()).isEqualTo(1);
    }

    /** A Java client (JSSE, Java's own TLS): nothing to probe, and the report says so. */
    @Test
    void javaClientIsReportedUnseen() throws Exception {
        Path trustStore = dir.resolve("trust.p12");
        if (!Files.exists(trustStore)) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-importcert", "-noprompt", "-file", server.cert().toString(), "-keystore", trustStore.toString(),
                    "-storepass", "changeit", "-storetype", "PKCS12").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
        }
        Path client = dir.resolve("Get.java");
        Files.writeString(client, """
                public class Get {
                    public static void main(String[] args) throws Exception {
                        var client = java.net.http.HttpClient.newHttpClient();
                        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(args[0])).build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
                        System.out.println(r.statusCode());
                    }
                }
                """);
        Aiscope.Traced t = Aiscope.trace(List.of("--probes", "tls"),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=changeit",
                client.toString(), server.url("/bytes/5"));
        assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
        assertThat(t.result().stdout().strip()).isEqualTo("200");
        JsonNode tls = t.report().get("tls");
        assertThat(tls.get("requests").asLong()).isZero();
        assertThat(StreamSupport.stream(tls.get("unseen").spliterator(), false)
                .filter(u -> u.get("library").asText().endsWith("/libjvm.so")).toList())
                .as(tls.get("unseen").toString()).singleElement()
                .satisfies(u -> {
                    assertThat(u.get("comm").asText()).isNotEmpty();
                    assertThat(u.get("reason").asText()).contains("JSSE");
                    assertThat(u.get("pid").asInt()).isPositive();
                });
        assertThat(t.result().stderr()).containsPattern("TLS not seen into: .*libjvm\\.so: Java: JSSE");
    }

    private static JsonNode request(JsonNode tls, String path) {
        return StreamSupport.stream(tls.get("slowest").spliterator(), false)
                .filter(r -> r.get("path").asText().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no request for " + path + " in " + tls.get("slowest")));
    }
}
