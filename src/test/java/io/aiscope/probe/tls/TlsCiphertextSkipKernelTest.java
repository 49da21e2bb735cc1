package io.aiscope.probe.tls;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With both socket families on, a TLS connection's ciphertext is not HTTP to the http family, which has the kernel
 * skip its calls; the tls family, which reads OpenSSL's plaintext, still finds every request.
 */
@Tag("kernel")
class TlsCiphertextSkipKernelTest {
    private static final int REQUESTS = 20;

    /** Handshake, a pause (aiscope's decision lands meanwhile), then the requests on one keep-alive connection. */
    private static final String CLIENT = """
            import http.client, ssl, sys, time
            ctx = ssl.create_default_context(cafile=sys.argv[1])
            c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[2]), context=ctx)
            c.connect()
            time.sleep(0.5)
            for i in range(int(sys.argv[3])):
                c.request("GET", "/bytes/%d" % (100 + i))
                assert len(c.getresponse().read()) == 100 + i
            c.close()
            """;

    @Test
    void tlsFindsEveryRequestWhileHttpSkipsTheCiphertext() throws Exception {
        Path dir = Files.createTempDirectory("aiscope-tls-skip");
        try (TlsServer server = new TlsServer(dir)) {
            Path client = dir.resolve("client.py");
            Files.writeString(client, CLIENT);
            Aiscope.Traced t = Aiscope.trace(List.of("--probes", "http,tls"), "/usr/bin/python3", client.toString(),
                    server.cert().toString(), Integer.toString(server.port()), Integer.toString(REQUESTS));
            assertThat(t.result().exitCode()).as(t.result().stderr()).isZero();
            JsonNode tls = t.report().get("tls");
            assertThat(tls.get("requests").asLong()).as(tls.toString()).isEqualTo(REQUESTS);
            assertThat(tls.get("errors").asLong()).isZero();
            assertThat(tls.get("parse_errors").asLong()).isZero();
            assertThat(tls.has("skipped_calls")).isFalse();
            JsonNode http = t.report().get("http");
            assertThat(http.get("requests").asLong()).as(http.toString()).isZero();
            assertThat(http.get("non_http_connections").asLong()).isEqualTo(1);
            assertThat(http.get("skip_failures").asLong()).isZero();
            // Each request after the pause is at least one write and one read of ciphertext, none of them read.
            assertThat(http.get("skipped_calls").asLong()).isGreaterThanOrEqualTo(2L * REQUESTS);
            // Read: the handshake's calls, before the pause (some fifteen).
            assertThat(http.get("calls_read").asLong()).isLessThan(http.get("skipped_calls").asLong() / 2);
        }
    }
}
