package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.ModelServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The http family against the bundled model server (real ONNX Runtime inference, real HttpServer thread pool,
 * real sockets) and its load client, which times every request itself: aiscope traces both processes, so each
 * request is seen from the client's side (its own socket calls) and from the server's.
 */
@Tag("kernel")
class HttpRequestsKernelTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    /** What aiscope printed for the server and for the client, and what the client measured itself. */
    record Seen(List<JsonNode> server, List<JsonNode> client, List<JsonNode> measured, List<String> stderr) {}

    static Seen trace(ModelServer server, String scenario, String... clientOptions) throws Exception {
        Path out = Files.createTempFile("load-client", ".ndjson");
        // The client runs real-time (SCHED_FIFO): a thread preempted between its system call and its clock read
        // would time the wait for a CPU too (seen: 3-16 ms on a busy 2-CPU machine, even at nice -20), which no
        // observer of the socket can see. Its clock reads then bracket its socket calls as tightly as the machine
        // allows. It blocks on its sockets most of the time, so it starves nobody.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "read go && exec chrt -f 1 \"$@\"", "sh"));
        cmd.addAll(server.client(scenario, clientOptions));
        cmd.addAll(List.of("--out", out.toString()));
        Process client = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (LiveCommand trace = new LiveCommand("trace", "-p", Integer.toString(server.pid()), "-p",
                Long.toString(client.pid()), "--family", "http", "--json")) {
            trace.awaitStderr(l -> l.startsWith("aiscope: tracing"), STARTUP);
            try (OutputStream go = client.getOutputStream()) {
                go.write('\n');
            }
            assertThat(client.waitFor(120, TimeUnit.SECONDS)).isTrue();
            String clientOutput = new String(client.getInputStream().readAllBytes());
            assertThat(client.exitValue()).as(clientOutput).isZero();
            Thread.sleep(200); // the last exchanges are correlated one ring pass after they end
            trace.signal("INT");
            assertThat(trace.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", trace.stderr())).isZero();
            List<JsonNode> serverSide = new ArrayList<>(), clientSide = new ArrayList<>();
            for (String line : trace.stdout()) {
                JsonNode e = Aiscope.JSON.readTree(line);
                if (e.get("type").asText().equals("request")) {
                    (e.get("pid").asInt() == server.pid() ? serverSide : clientSide).add(e);
                }
            }
            List<JsonNode> measured = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                measured.add(Aiscope.JSON.readTree(line));
            }
            Files.delete(out);
            Comparator<JsonNode> byStart = Comparator.comparingLong(e -> e.get("start_ns").asLong());
            serverSide.sort(byStart);
            clientSide.sort(byStart);
            measured.sort(byStart);
            return new Seen(serverSide, clientSide, measured, trace.stderr());
        } finally {
            client.destroyForcibly();
        }
    }

    @Test
    void everyRequestOfAMixedConcurrentLoadAgreesWithWhatTheClientMeasured() throws Exception {
        try (ModelServer server = new ModelServer("--threads", "4")) {
            Seen seen = trace(server, "mixed", "--requests", "40", "--concurrency", "4");
            assertThat(seen.measured()).hasSize(40);
            assertThat(seen.client()).as("client-side requests").hasSize(40);
            assertThat(seen.server()).as("server-side requests").hasSize(40);
            Map<Integer, List<JsonNode>> clientByPort = byPort(seen.client(), "local_port");
            Map<Integer, List<JsonNode>> serverByPort = byPort(seen.server(), "remote_port");
            Map<Integer, Integer> nth = new HashMap<>();
            for (JsonNode m : seen.measured()) {
                int port = m.get("local_port").asInt(), k = nth.merge(port, 1, Integer::sum) - 1;
                JsonNode c = clientByPort.get(port).get(k), s = serverByPort.get(port).get(k);
                String what = m + "\n  client side: " + c + "\n  server side: " + s;
                for (JsonNode a : List.of(c, s)) {
                    assertThat(a.get("path").asText()).as(what).isEqualTo(m.get("path").asText().split("\\?")[0]);
                    assertThat(a.get("status").asInt()).as(what).isEqualTo(m.get("status").asInt());
                    assertThat(a.get("outcome").asText()).as(what).isEqualTo("complete");
                }
                // The client's own socket calls: the same moments the client timed, a few microseconds apart.
                assertAgrees(c.get("latency_ms").asDouble(), m.get("latency_ms").asDouble(), "latency of " + what);
                assertThat(c.get("request_bytes").asLong()).as(what).isEqualTo(m.get("request_bytes").asLong());
                assertThat(c.get("response_bytes").asLong()).as(what).isEqualTo(m.get("response_bytes").asLong());
                // The server's side lies within the client's: it reads after the client wrote, and writes the last
                // byte before the client has read it. The difference is time in socket buffers (queueing).
                assertThat(s.get("start_ns").asLong()).as(what).isGreaterThanOrEqualTo(m.get("start_ns").asLong());
                assertThat(s.get("end_ns").asLong()).as(what).isLessThanOrEqualTo(m.get("end_ns").asLong());
                if (m.get("stream").asBoolean()) {
                    assertAgrees(c.get("ttft_ms").asDouble(), m.get("ttft_ms").asDouble(), "TTFT of " + what);
                    assertThat(s.get("ttft_ms").asDouble()).as(what).isLessThanOrEqualTo(m.get("ttft_ms").asDouble());
                    // The usage chunk carries no token: streamed tokens are the client's events less that one.
                    assertThat(c.get("streamed_events").asInt()).as(what).isEqualTo(m.get("events").asInt() - 1);
                    assertThat(s.get("streamed_events").asInt()).as(what).isEqualTo(m.get("events").asInt() - 1);
                    assertThat(s.at("/openai/output_tokens").asInt()).as(what).isEqualTo(m.get("events").asInt() - 1);
                    assertThat(s.at("/openai/model").asText()).as(what).isEqualTo("tiny-lm");
                } else {
                    assertThat(c.has("ttft_ms")).as(what).isFalse();
                }
                JsonNode d = s.get("decomposition");
                if (m.get("path").asText().endsWith("writer=inference")) {
                    // Read by an HTTP worker, streamed by the inference thread: a hand-off, said so.
                    assertThat(s.get("threads").size()).as(what).isEqualTo(2);
                    assertThat(d.get("attribution").asText()).as(what).isEqualTo("process-window");
                    assertThat(d.has("off_cpu_ms")).as(what).isFalse();
                } else if (m.get("path").asText().startsWith("/slow")) {
                    // One worker read, slept 50 ms and answered: the sleep is its off-CPU time.
                    assertThat(d.get("attribution").asText()).as(what).isEqualTo("thread");
                    assertThat(d.get("off_cpu_ms").asDouble()).as(what).isGreaterThanOrEqualTo(49.0);
                    assertThat(s.get("latency_ms").asDouble()).as(what).isGreaterThanOrEqualTo(50.0);
                }
            }
        }
    }

    @Test
    void aStreamTheClientAbandonsIsCutShortOnBothSidesAndTheServerGoesOn() throws Exception {
        try (ModelServer server = new ModelServer()) {
            Seen seen = trace(server, "disconnect");
            assertThat(seen.measured()).hasSize(2);
            assertThat(seen.server()).as("server side").hasSize(2);
            assertThat(seen.client()).as("client side").hasSize(2);
            JsonNode cut = seen.server().get(0), health = seen.server().get(1);
            assertThat(cut.get("path").asText()).isEqualTo("/v1/chat/completions");
            assertThat(cut.get("status").asInt()).isEqualTo(200);
            assertThat(cut.get("outcome").asText()).isEqualTo("aborted"); // the peer went away mid-stream
            assertThat(cut.get("streamed_events").asInt()).isBetween(3, 199);
            assertThat(health.get("path").asText()).isEqualTo("/health");
            assertThat(health.get("outcome").asText()).isEqualTo("complete");
            JsonNode abandoned = seen.client().get(0);
            assertThat(abandoned.get("outcome").asText()).isEqualTo("closed"); // the client closed it
            assertThat(abandoned.get("streamed_events").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(seen.client().get(1).get("outcome").asText()).isEqualTo("complete");
        }
    }

    @Test
    void garbageOnASocketInventsNoRequest() throws Exception {
        try (ModelServer server = new ModelServer()) {
            Seen seen = trace(server, "garbage");
            System.out.println("GARBAGE server " + seen.server() + "\nclient " + seen.client() + "\nmeasured " + seen.measured());
            assertThat(seen.stderr()).noneMatch(l -> l.contains("internal error") || l.contains("Exception"));
            assertThat(seen.server().stream().filter(r -> r.get("status").asInt() == 200)).hasSize(1)
                    .allSatisfy(r -> assertThat(r.get("path").asText()).isEqualTo("/health"));
        }
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreEachTimed() throws Exception {
        try (ModelServer server = new ModelServer()) {
            Seen seen = trace(server, "pipelined");
            assertThat(seen.measured()).hasSize(3);
            for (List<JsonNode> side : List.of(seen.server(), seen.client())) {
                assertThat(side).hasSize(3);
                for (int i = 0; i < 3; i++) {
                    JsonNode r = side.get(i);
                    assertThat(r.get("path").asText()).isEqualTo("/items/" + (i + 1));
                    assertThat(r.get("route").asText()).isEqualTo("/items/{id}");
                    assertThat(r.get("status").asInt()).isEqualTo(200);
                    assertThat(r.get("outcome").asText()).isEqualTo("complete");
                }
            }
            // All three were read by the server in one call, so they start together; each ends at its own response.
            assertThat(seen.server().get(0).get("start_ns").asLong()).isEqualTo(seen.server().get(2).get("start_ns").asLong());
            assertThat(seen.server().get(0).get("end_ns").asLong()).isLessThanOrEqualTo(seen.server().get(2).get("end_ns").asLong());
        }
    }

    /** Within max(2%, 1 ms) of what the client measured. */
    private static void assertAgrees(double aiscopeMs, double clientMs, String what) {
        assertThat(Math.abs(aiscopeMs - clientMs)).as(what).isLessThanOrEqualTo(Math.max(0.02 * clientMs, 1.0));
    }

    /** Requests by connection (its port), each connection's in order. */
    private static Map<Integer, List<JsonNode>> byPort(List<JsonNode> requests, String field) {
        Map<Integer, List<JsonNode>> map = new HashMap<>();
        requests.forEach(r -> map.computeIfAbsent(r.get(field).asInt(), p -> new ArrayList<>()).add(r));
        return map;
    }
}
