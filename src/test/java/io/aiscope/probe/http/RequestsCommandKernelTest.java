package io.aiscope.probe.http;

import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.ModelServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code aiscope requests -p PID --port N} on the model server while the load client streams completions. */
@Tag("kernel")
class RequestsCommandKernelTest {
    private static final int STREAMS = 6;

    @Test
    void liveViewShowsTheRouteWithItsRateLatencyTtftAndTheSlowestRequests() throws Exception {
        try (ModelServer server = new ModelServer();
             LiveCommand requests = new LiveCommand("requests", "-p", Integer.toString(server.pid()), "--port",
                     Integer.toString(server.port()), "--probes", "http", "--interval", "4", "--iterations", "3",
                     "--window", "60")) {
            requests.awaitStderr(l -> l.startsWith("aiscope: watching the HTTP requests of PID " + server.pid()),
                    Duration.ofSeconds(60));
            Process client = new ProcessBuilder(server.client("stream", "--requests", Integer.toString(STREAMS),
                    "--out", "/dev/null")).redirectErrorStream(true).start();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).isZero();
            assertThat(requests.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", requests.stderr())).isZero();

            List<String> out = requests.stdout();
            String last = String.join("\n", out.subList(out.lastIndexOf(out.stream()
                    .filter(l -> l.startsWith("aiscope requests")).reduce((a, b) -> b).orElseThrow()), out.size()));
            assertThat(last).contains(STREAMS + " requests traced", "port [" + server.port() + "]");
            assertThat(last).containsPattern("(?m)^\\s*" + server.pid() + "\\s+java\\s+server\\s+POST\\s+/v1/chat/completions\\s+");
            assertThat(last).contains("slowest:", "POST /v1/chat/completions → 200 in ", "tokens streamed", "[");
        }
    }
}
