package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.LlmEndpoint;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompts and completions stay out of every output unless content capture is asked for, and then are kept exactly,
 * up to the size asked for. The prompt carries a fresh UUID; the completions are what the client itself read.
 */
@Tag("kernel")
class RedactionKernelTest extends EndpointKernelTest {
    /** Runs the fixture client's own code (llm_client.py, imported) and prints each record with the text it got. */
    private static final String ANSWERS = """
            import json, sys
            sys.path.insert(0, sys.argv[1])
            import llm_client
            client = llm_client.Client(sys.argv[2], sys.argv[3])
            with open(sys.argv[4]) as f:
                for call in llm_client.read_calls(f):
                    print(json.dumps(client.call(call)), flush=True)
            """;
    private static final String SECRET = UUID.randomUUID().toString();
    private static final String PROMPT = "redact " + SECRET + " now";
    private static final int CALLS = 3;

    private static List<String> client;

    /** After the endpoint has started (the superclass's {@code @BeforeAll} runs first). */
    @BeforeAll
    static void writeClient() throws Exception {
        Path script = Files.writeString(dir.resolve("answers.py"), ANSWERS);
        // The prompt is in a file, not on the command line: argv is reported (.proc.execs) and would carry it.
        Path calls = LlmEndpoint.scenario(dir, "chat stream 12 keep - " + PROMPT, "messages whole 12 new - " + PROMPT,
                "responses stream 12 keep - " + PROMPT);
        // -B: no .pyc written next to the fixture.
        client = List.of("/usr/bin/python3", "-B", script.toString(), Workloads.get("llm").toString(), endpoint.url(),
                LlmEndpoint.caCert().toString(), calls.toString());
    }

    @Test
    void runReportAndTextReportHoldNoContentByDefault() {
        Aiscope.Traced t = LlmKernelRuns.trace(client);
        List<String> answers = answers(t.result().stdout());
        List<JsonNode> calls = LlmKernelRuns.calls(t.report(), CALLS);
        for (JsonNode c : calls) {
            assertThat(c.has("prompt") || c.has("completion")).as(c.toString()).isFalse();
            assertThat(c.path("output_tokens").asInt()).as("found, read: %s", c).isPositive();
        }
        assertNoContent(t.report().toString(), answers);
        assertNoContent(t.result().stderr(), answers);
        assertThat(t.result().stderr()).contains("[llm] " + CALLS + " calls");
    }

    @Test
    void traceOutputHoldsNoContent() throws Exception {
        // The client waits for the tracer: trace follows running processes (-p), it launches none.
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "read go && exec \"$@\"", "sh"));
        cmd.addAll(client);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (LiveCommand trace = new LiveCommand("trace", "-p", Long.toString(p.pid()), "--json")) {
            trace.awaitStderr(l -> l.startsWith("aiscope: tracing"), Duration.ofSeconds(60));
            try (OutputStream go = p.getOutputStream()) {
                go.write('\n');
            }
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            List<String> answers = answers(stdout);
            // Its three requests, then Ctrl-C.
            trace.awaitStdout(l -> l.contains("\"/v1/responses\""), Duration.ofSeconds(30));
            trace.signal("INT");
            assertThat(trace.awaitExit(Duration.ofSeconds(60))).isZero();
            String out = String.join("\n", trace.stdout());
            assertThat(trace.stdout().stream().filter(l -> l.contains("\"type\":\"request\"")).count())
                    .as(out).isEqualTo(CALLS);
            assertNoContent(out, answers);
            assertNoContent(String.join("\n", trace.stderr()), answers);
        }
    }

    @Test
    void recordedTimelineHoldsNoContent() throws Exception {
        Path file = dir.resolve("trace.json");
        List<String> args = new ArrayList<>(List.of("record", "-o", file.toString(), "--probes", "tls", "--"));
        args.addAll(client);
        Aiscope.Result r = Aiscope.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        List<String> answers = answers(r.stdout());
        assertThat(r.stderr()).contains("(" + CALLS + " requests)");
        String timeline = Files.readString(file);
        assertThat(timeline).contains("/v1/messages");
        assertNoContent(timeline, answers);
        assertNoContent(r.stderr(), answers);
    }

    @Test
    void captureKeepsPromptAndCompletionExactly() {
        captured(null);
    }

    @Test
    void captureIsCutAtItsSize() {
        captured(16);
    }

    /** With --capture-content[=BYTES]: each call's prompt and completion, whole or their first BYTES (ASCII here). */
    private static void captured(Integer bytes) {
        Aiscope.Traced t = LlmKernelRuns.trace(client, bytes == null ? "--capture-content" : "--capture-content=" + bytes);
        List<String> answers = answers(t.result().stdout());
        List<JsonNode> calls = LlmKernelRuns.calls(t.report(), CALLS);
        for (int i = 0; i < CALLS; i++) {
            JsonNode c = calls.get(i);
            String answer = answers.get(i);
            assertThat(answer.length()).as("the answer is longer than the cut").isGreaterThan(16);
            assertThat(c.path("prompt").asText()).as(c.toString()).isEqualTo(bytes == null ? PROMPT : PROMPT.substring(0, bytes));
            assertThat(c.path("completion").asText()).as(c.toString()).isEqualTo(bytes == null ? answer : answer.substring(0, bytes));
        }
    }

    /** What the client got: each call's generated text. */
    private static List<String> answers(String stdout) {
        List<String> answers = LlmKernelRuns.ndjson(stdout).stream().map(r -> {
            assertThat(r.path("status").asInt()).as(r.toString()).isEqualTo(200);
            return r.path("answer").asText();
        }).toList();
        assertThat(answers).hasSize(CALLS).allSatisfy(a -> assertThat(a).isNotBlank());
        return answers;
    }

    private static void assertNoContent(String output, List<String> answers) {
        assertThat(output).doesNotContain(SECRET);
        for (String a : answers) {
            assertThat(output).doesNotContain(a.strip());
        }
    }
}
