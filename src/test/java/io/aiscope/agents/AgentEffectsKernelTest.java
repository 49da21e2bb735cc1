package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LlmEndpoint;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent (workloads/llm/agent.py) asks the TLS endpoint what to do, runs a command, writes a file and connects to
 * a listener, round after round: each round's actions, and only those, are the effects of that round's call, at the
 * times the agent itself saw them.
 */
@Tag("kernel")
class AgentEffectsKernelTest extends EndpointKernelTest {
    private static final int ROUNDS = 4;
    @Test
    void eachCallIsFollowedByExactlyItsRoundsActions() throws Exception {
        try (LlmKernelRuns.Listener listener = new LlmKernelRuns.Listener()) {
            Path out = dir.resolve("run");
            Aiscope.Traced t = LlmKernelRuns.trace(LlmKernelRuns.fifo(endpoint.agent(out, listener.target(), ROUNDS)));
            List<JsonNode> rounds = LlmKernelRuns.ndjson(t.result().stdout());
            assertThat(rounds).hasSize(ROUNDS);
            List<JsonNode> calls = LlmKernelRuns.calls(t.report(), ROUNDS);
            LlmKernelRuns.assertNothingLost(t.report());
            for (int k = 0; k < ROUNDS; k++) {
                JsonNode round = rounds.get(k), call = round.path("call"), actions = round.path("actions");
                JsonNode c = calls.get(k);
                String what = "round " + k + ": " + round + "\n aiscope: " + c;
                int agent = round.path("pid").asInt();
                assertThat(c.path("pid").asInt()).as(what).isEqualTo(agent);
                assertThat(c.path("status").asInt()).as(what).isEqualTo(200);
                assertThat(c.path("streaming").asBoolean()).as(what).isEqualTo(call.path("stream").asBoolean());
                assertThat(c.path("output_tokens").asInt()).as(what).isEqualTo(call.path("output_tokens").asInt());
                // The call's end is what effects are timed from: it must be the agent's own, to the millisecond.
                LlmKernelRuns.assertSameTime(what + "\n latency", c.path("latency_ms"), call.path("latency_ns"));

                List<JsonNode> effects = StreamSupport.stream(c.path("effects").spliterator(), false).toList();
                assertThat(effects.stream().map(e -> e.path("kind").asText()))
                        .as(what).containsExactly("exec", "exec", "file_write", "connect");
                assertThat(c.path("effects_left_out").asInt()).isZero();
                JsonNode sh = effects.get(0), wc = effects.get(1), file = effects.get(2), connect = effects.get(3);
                JsonNode child = actions.path("child");
                // sh -c 'echo "$1" | wc -c' sh WORD: sh is the agent's child; it forks the echo side (a builtin, no
                // exec) and wc, the agent's grandchild.
                assertThat(sh.path("pid").asInt()).as(what).isEqualTo(child.path("pid").asInt());
                assertThat(sh.path("comm").asText()).as(what).isEqualTo("sh");
                assertThat(sh.path("argv")).as(what).isEqualTo(child.path("argv"));
                assertThat(sh.path("depth").asInt()).as(what).isEqualTo(1);
                assertThat(sh.path("exit_code").asInt()).as(what).isEqualTo(child.path("exit_code").asInt());
                assertThat(wc.path("comm").asText()).as(what).isEqualTo("wc");
                assertThat(wc.path("filename").asText()).as(what).endsWith("/wc");
                assertThat(wc.path("argv").toString()).as(what).isEqualTo("[\"wc\",\"-c\"]");
                assertThat(wc.path("depth").asInt()).as(what).isEqualTo(2);
                assertThat(wc.path("exit_code").asInt()).as(what).isZero();
                assertThat(file.path("pid").asInt()).as(what).isEqualTo(agent);
                assertThat(file.path("depth").asInt()).as(what).isZero();
                assertThat(file.path("path").asText()).as(what).isEqualTo(actions.path("file").asText())
                        .isEqualTo(out.resolve("round" + k + "-" + round.path("word").asText() + ".txt").toString());
                assertThat(file.path("result").asInt()).as(what).isNotNegative(); // the descriptor
                assertThat(connect.path("pid").asInt()).as(what).isEqualTo(agent);
                assertThat(connect.path("address").asText()).as(what).isEqualTo("127.0.0.1");
                assertThat(connect.path("port").asInt()).as(what).isEqualTo(listener.port());
                // Python connects with a timeout, i.e. non-blocking: the call returns EINPROGRESS, the handshake
                // ends later (on loopback, before the call returns), and the effect shows that end.
                assertThat(connect.path("result").asInt()).as(what).isZero();
                assertThat(connect.path("completed_ms").asDouble()).as(what).isBetween(0.0, 50.0);
                assertThat(actions.path("connect").path("result").asText()).isEqualTo("connected");
                // Every action happened between the agent's clock reads around its actions, which it took after
                // the call ended: after_ms must fall in that window, measured from the same end (1 ms either side).
                double from = (actions.path("start_ns").asLong() - call.path("end_ns").asLong()) / 1e6 - 1.0;
                double to = (actions.path("end_ns").asLong() - call.path("end_ns").asLong()) / 1e6 + 1.0;
                for (JsonNode e : effects) {
                    assertThat(e.path("after_ms").asDouble()).as(what + "\n effect " + e).isBetween(from, to);
                }
            }
            assertThat(listener.accepted()).isEqualTo(ROUNDS);
        }
    }

    /** The live view launched on a command: the chains as they end, then aiscope exits with the command's code. */
    @Test
    void agentsCommandPrintsTheChainsAndExitsWithTheCommandsCode() throws Exception {
        try (LlmKernelRuns.Listener listener = new LlmKernelRuns.Listener()) {
            Path out = dir.resolve("live");
            List<String> args = new ArrayList<>(List.of("agents", "--probes", "tls", "--", "sh", "-c", "\"$@\"; exit 3", "sh"));
            args.addAll(endpoint.agent(out, listener.target(), ROUNDS));
            Aiscope.Result r = Aiscope.run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(3);
            List<JsonNode> rounds = LlmKernelRuns.ndjson(r.stdout());
            assertThat(rounds).hasSize(ROUNDS);
            String view = r.stdout();
            assertThat(view).contains(ROUNDS + " LLM calls, 0 errors, 0 events lost");
            int agent = rounds.getFirst().path("pid").asInt();
            // Each call's line, then its actions, before the next call's line.
            Matcher header = Pattern.compile("#\\d+ python3\\[" + agent + "\\] → 127\\.0\\.0\\.1 tiny-lm chat( stream)? "
                    + "\\(TLS\\): 200 in ").matcher(view);
            List<Integer> starts = new ArrayList<>();
            while (header.find()) {
                starts.add(header.start());
            }
            assertThat(starts).as(view).hasSize(ROUNDS);
            starts.add(view.length());
            for (int k = 0; k < ROUNDS; k++) {
                JsonNode round = rounds.get(k), actions = round.path("actions");
                String chain = view.substring(starts.get(k), starts.get(k + 1));
                assertThat(chain).as(view)
                        .containsPattern("exec\\s+sh\\[" + actions.at("/child/pid").asInt() + "\\] sh -c .*wc -c.* sh "
                                + Pattern.quote(round.path("word").asText()) + " → exit 0")
                        .containsPattern("exec\\s+wc\\[\\d+\\] wc -c → exit 0")
                        .containsPattern("write\\s+python3\\[" + agent + "\\] " + Pattern.quote(actions.path("file").asText()))
                        .containsPattern("connect\\s+python3\\[" + agent + "\\] 127\\.0\\.0\\.1:" + listener.port() + "\n");
            }
        }
    }
}
