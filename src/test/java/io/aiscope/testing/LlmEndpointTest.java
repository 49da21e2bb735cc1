package io.aiscope.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LLM endpoint fixture and its real clients, without aiscope: every client's account of every call must be
 * what the endpoint was asked to do, so that tests tracing them can take those accounts as ground truth.
 */
@Tag("unit")
class LlmEndpointTest {
    private static final int HUGE = 1 << 20;

    /** One call of the scenario and what any client must report about it. */
    private record Expected(String line, String path, boolean stream, int status, Integer inputTokens, Integer outputTokens,
                            Integer contentEvents, boolean usage, String error) {
    }

    private static final List<Expected> SCENARIO = List.of(
            ok("chat stream-usage 6 keep - the quick brown fox", "/v1/chat/completions", true, 7, 6, true),
            ok("chat stream 4 keep - the quick brown fox", "/v1/chat/completions", true, null, 4, false),
            ok("chat whole 5 keep - tell me a story", "/v1/chat/completions", false, 7, 5, true),
            ok("completions stream-usage 3 new - once upon a time", "/v1/completions", true, 5, 3, true),
            ok("completions stream 3 keep - once upon a time", "/v1/completions", true, null, 3, false),
            new Expected("embeddings whole 1 keep - embed these words", "/v1/embeddings", false, 200, 4, null, 0, true, null),
            ok("messages stream 5 keep - hello claude", "/v1/messages", true, 5, 5, true),
            ok("messages whole 4 new - hello claude", "/v1/messages", false, 5, 4, true),
            ok("responses stream 4 keep - hello responses", "/v1/responses", true, 5, 4, true),
            ok("responses whole 4 new - hello responses", "/v1/responses", false, 5, 4, true),
            failed("chat stream 8 keep rate_limit=1 limited please", "/v1/chat/completions", true, 429, "rate_limit_exceeded"),
            failed("messages whole 8 new rate_limit=2 limited please", "/v1/messages", false, 429, "rate_limit_error"),
            failed("responses whole 8 keep rate_limit=1 limited please", "/v1/responses", false, 429, "rate_limit_exceeded"),
            new Expected("chat stream 8 new reset_after=3 reset me", "/v1/chat/completions", true, 200, null, 3, 3, false,
                    "connection_reset"),
            new Expected("messages stream 8 keep reset_after=2 reset me", "/v1/messages", true, 200, 5, 2, 2, false,
                    "connection_reset"),
            ok("completions whole 2 keep pad_bytes=" + HUGE + " a big answer", "/v1/completions", false, 4, 2, true),
            ok("completions whole 2 new - @bytes=" + HUGE + " lorem ipsum dolor", "/v1/completions", false,
                    1 + hugePromptWords(), 2, true),
            ok("chat stream-usage 2 keep - after all that", "/v1/chat/completions", true, 6, 2, true));

    private static LlmEndpoint endpoint;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        endpoint = new LlmEndpoint("--threads", "2");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        endpoint.close();
    }

    private static Expected ok(String line, String path, boolean stream, Integer input, int output, boolean usage) {
        return new Expected(line, path, stream, 200, input, output, stream ? output : 0, usage, null);
    }

    private static Expected failed(String line, String path, boolean stream, int status, String error) {
        return new Expected(line, path, stream, status, null, null, 0, false, error);
    }

    private static int hugePromptWords() {
        String unit = "lorem ipsum dolor ";
        return unit.repeat(HUGE / unit.length() + 1).substring(0, HUGE).strip().split("\\s+").length;
    }

    private static Path scenario() {
        return LlmEndpoint.scenario(dir, SCENARIO.stream().map(Expected::line).toArray(String[]::new));
    }

    @Test
    void curlReportsEveryCall() throws Exception {
        check(run(endpoint.curl(scenario())), "curl");
    }

    @Test
    void pythonReportsEveryCall() throws Exception {
        check(run(endpoint.python(scenario())), "python");
    }

    @Test
    void nodeReportsEveryCall() throws Exception {
        check(run(endpoint.node(scenario())), "node");
    }

    private static void check(List<JsonNode> records, String client) {
        assertThat(records).hasSize(SCENARIO.size());
        for (int i = 0; i < SCENARIO.size(); i++) {
            Expected e = SCENARIO.get(i);
            JsonNode r = records.get(i);
            String what = client + " call " + i + " (" + e.line().substring(0, Math.min(60, e.line().length())) + "): " + r;
            boolean keep = e.line().contains(" keep ");
            assertThat(r.path("call").asInt()).as(what).isEqualTo(i);
            assertThat(r.path("client").asText()).as(what).startsWith(client);
            assertThat(r.path("path").asText()).as(what).isEqualTo(e.path());
            assertThat(r.path("stream").asBoolean()).as(what).isEqualTo(e.stream());
            assertThat(r.path("latency_ns").asLong()).as(what).isPositive();
            if (e.error() != null && e.error().startsWith("connection_") && client.equals("node")) {
                // Node's TLS socket sometimes takes a reset for an end of stream (and undici always says "other
                // side closed"): the stream ends early all the same.
                assertThat(r.path("error").asText()).as(what).isIn("connection_reset", "connection_closed");
            } else {
                assertThat(r.path("error").isNull() ? null : r.path("error").asText()).as(what).isEqualTo(e.error());
            }
            assertThat(r.path("status").asInt()).as(what).isEqualTo(e.status());
            assertThat(r.path("content_events").asInt()).as(what).isEqualTo(e.contentEvents());
            assertThat(r.path("usage_reported").asBoolean()).as(what).isEqualTo(e.usage());
            assertThat(nullable(r.path("output_tokens"))).as(what).isEqualTo(e.outputTokens());
            assertThat(nullable(r.path("input_tokens"))).as(what).isEqualTo(e.inputTokens());
            if (e.status() == 200) assertThat(r.path("model").asText()).as(what).isEqualTo("tiny-lm");
            if (e.status() == 429) assertThat(r.path("retry_after").asText()).as(what).isIn("1", "2");
            if (e.stream() && e.contentEvents() > 0) {
                assertThat(r.path("ttft_ns").asLong()).as(what).isPositive().isLessThanOrEqualTo(r.path("latency_ns").asLong());
            } else if (!e.stream()) {
                assertThat(r.path("ttft_ns").isNull()).as(what).isTrue();
            }
            if (!(client.equals("node") && keep)) assertThat(r.path("local_port").asInt()).as(what).isPositive();
            if (e.line().contains("pad_bytes")) assertThat(r.path("response_bytes").asLong()).as(what).isGreaterThan(HUGE);
            if (e.line().contains("@bytes")) assertThat(r.path("request_bytes").asLong()).as(what).isGreaterThan(HUGE);
        }
        // Consecutive keep calls share a connection; a new call, or the one after a reset, opens one.
        assertThat(records.get(1).path("new_connection").asBoolean()).isFalse();
        assertThat(records.get(3).path("new_connection").asBoolean()).isTrue();
        assertThat(endpoint.stdout()).as("the server prints no prompt")
                .doesNotContain("quick", "claude", "limited", "lorem", "reset me");
    }

    @Test
    void agentActsOnEachAnswerBetweenCalls() throws Exception {
        Path out = dir.resolve("agent");
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try (Socket s = listener.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            List<JsonNode> rounds = run(endpoint.agent(out, "127.0.0.1:" + listener.getLocalPort(), 4));
            assertThat(rounds).hasSize(4);
            long previousEnd = 0;
            for (int k = 0; k < rounds.size(); k++) {
                JsonNode round = rounds.get(k), call = round.path("call"), actions = round.path("actions");
                String word = round.path("word").asText();
                assertThat(round.path("round").asInt()).isEqualTo(k);
                assertThat(round.path("prompt").asText()).isEqualTo("agent round " + k + ": what next");
                assertThat(call.path("status").asInt()).isEqualTo(200);
                assertThat(call.path("stream").asBoolean()).isEqualTo(k % 2 == 1);
                assertThat(word).matches("[a-z0-9]+");
                assertThat(call.path("start_ns").asLong()).isGreaterThan(previousEnd + 50_000_000L);
                assertThat(actions.path("start_ns").asLong()).isGreaterThanOrEqualTo(call.path("end_ns").asLong());
                assertThat(actions.path("child").path("pid").asInt()).isPositive();
                assertThat(actions.path("child").path("exit_code").asInt()).isZero();
                assertThat(actions.path("child").path("output").asText()).isEqualTo(Integer.toString(word.length() + 1));
                Path file = out.resolve("round" + k + "-" + word + ".txt");
                assertThat(actions.path("file").asText()).isEqualTo(file.toString());
                assertThat(Files.readString(file).strip()).isEqualTo(Integer.toString(word.length() + 1));
                assertThat(actions.path("connect").path("result").asText()).isEqualTo("connected");
                assertThat(actions.path("connect").path("local_port").asInt()).isPositive();
                previousEnd = actions.path("end_ns").asLong();
            }
            assertThat(rounds.stream().map(r -> r.path("word").asText()).distinct().count()).as("answers differ").isGreaterThan(1);
            listener.close();
            acceptor.join(5_000);
            assertThat(accepted.get()).isEqualTo(4);
        }
    }

    @Test
    void agentReportsARefusedConnection() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        List<JsonNode> rounds = run(endpoint.agent(dir.resolve("refused"), "127.0.0.1:" + closedPort, 1));
        assertThat(rounds.getFirst().path("actions").path("connect").path("result").asText()).isEqualTo("refused");
    }

    private static Integer nullable(JsonNode n) {
        return n.isNull() || n.isMissingNode() ? null : n.asInt();
    }

    private static List<JsonNode> run(List<String> command) throws Exception {
        Path stderr = Files.createTempFile(dir, "client", ".err");
        Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(p.exitValue()).as("%s exit code; stderr:%n%s", command, Files.readString(stderr)).isZero();
        List<JsonNode> records = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) records.add(Aiscope.JSON.readTree(line));
        return records;
    }
}
