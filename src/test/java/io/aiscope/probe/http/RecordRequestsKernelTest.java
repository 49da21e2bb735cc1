package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.output.perfetto.ChromeTraceChecker;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.ModelServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code aiscope record -- script}: the model server's requests on a Perfetto timeline, with their phases. */
@Tag("kernel")
class RecordRequestsKernelTest {
    private static final int STREAMS = 4;

    @Test
    void requestsAndTheirPhasesAreSlicesOnTheThreadsThatServedThem() throws Exception {
        Path dir = Files.createTempDirectory("aiscope-http-record");
        Path file = dir.resolve("trace.json");
        Aiscope.Result r = Aiscope.run("record", "-o", file.toString(), "--", "sh", "-c",
                ModelServer.serveAndLoad(dir, "--scenario", "stream", "--requests", Integer.toString(STREAMS)));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("(" + 2 * STREAMS + " requests)");

        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file); // valid Chrome trace JSON, slices nested
        List<JsonNode> requests = trace.events(e -> e.path("name").asText().equals("POST /v1/chat/completions")
                && (e.path("ph").asText().equals("X") || e.path("ph").asText().equals("b")));
        assertThat(requests).hasSize(2 * STREAMS);
        assertThat(requests.stream().filter(e -> e.at("/args/role").asText().equals("server"))).hasSize(STREAMS);
        // On the thread's track, or on the request's own async track where something else on the thread overlaps it.
        List<String> phases = trace.events(e -> e.path("ph").asText().equals("X") || e.path("ph").asText().equals("b"))
                .stream().map(e -> e.path("name").asText()).toList();
        // A request read in one call has no "receive" (nor its client a "send"): empty phases are left out.
        assertThat(phases.stream().filter("process"::equals)).hasSize(STREAMS);
        assertThat(phases.stream().filter("wait"::equals)).hasSize(STREAMS);
        // The server writes each token on its own; its client may read several at once, even all of them.
        assertThat(phases.stream().filter("stream"::equals).count()).isBetween((long) STREAMS, 2L * STREAMS);
        assertThat(trace.events(e -> e.path("name").asText().equals("token"))).isNotEmpty();
        assertThat(trace.threadNames()).isNotEmpty();
    }
}
