package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.engine.ProcessNames;
import io.aiscope.output.AgentChains;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A non-blocking connect's effect shows how it ended once that is known, whenever the outcome arrives. */
@Tag("unit")
class AgentCorrelatorConnectOutcomeTest {
    private static final long MS = 1_000_000L, EINPROGRESS = -115;
    private static final int AGENT = 100;

    private final AgentCorrelator correlator = new AgentCorrelator(10_000 * MS);

    private static ProcessAction.Connect connect(long ms, int port) {
        return new ProcessAction.Connect(ms * MS, AGENT, AGENT, "127.0.0.1", port, EINPROGRESS);
    }

    private JsonNode call() {
        AgentTurn turn = correlator.turns(Long.MIN_VALUE).getFirst();
        return LlmReport.call(turn, new ProcessNames(10));
    }

    private List<String> lines() {
        return AgentChains.render(List.of(call())).lines().skip(1).toList(); // the call's line, then its effects
    }

    @Test
    void effectsShowTheOutcomeAndWhenItCameOrStayInProgress() {
        correlator.call(new ObservedCall(1, AGENT, AGENT, "openai", "api.openai.com", "openai", "chat", "gpt", false,
                200, null, "complete", 3, 5, false, 0, 100 * MS, -1, true, 443, null, null));
        ProcessAction.Connect ok = connect(110, 8001), refused = connect(120, 8002), gaveUp = connect(130, 8003),
                unseen = connect(140, 8004);
        List.of(ok, refused, gaveUp, unseen).forEach(correlator::action);
        correlator.action(new ProcessAction.ConnectResult(111 * MS, ok, 0));
        correlator.action(new ProcessAction.ConnectResult(125 * MS, refused, -111));
        assertThat(lines()).hasSize(4).satisfiesExactly(
                l -> assertThat(l).endsWith("127.0.0.1:8001"),
                l -> assertThat(l).endsWith("127.0.0.1:8002 → ECONNREFUSED"),
                l -> assertThat(l).endsWith("127.0.0.1:8003 (in progress)"),
                l -> assertThat(l).endsWith("127.0.0.1:8004 (in progress)"));

        // An outcome that arrives after an output asked updates the same effect the next time.
        correlator.action(new ProcessAction.ConnectResult(2130 * MS, gaveUp,
                ProcessAction.ConnectResult.CLOSED_WHILE_CONNECTING));
        assertThat(lines().get(2)).endsWith("127.0.0.1:8003 → closed while connecting");
        JsonNode effects = call().get("effects");
        assertThat(effects.valueStream().map(e -> e.get("result").asLong()))
                .containsExactly(0L, -111L, -125L, EINPROGRESS);
        assertThat(effects.valueStream().map(e -> e.path("completed_ms").asDouble(-1)))
                .containsExactly(1.0, 5.0, 2000.0, -1.0);
        assertThat(effects.valueStream().map(e -> e.get("after_ms").asDouble())) // still timed from the call
                .containsExactly(10.0, 20.0, 30.0, 40.0);
    }

    @Test
    void anOutcomeBelongsOnlyToItsOwnConnect() {
        correlator.call(new ObservedCall(1, AGENT, AGENT, "openai", "api.openai.com", "openai", "chat", "gpt", false,
                200, null, "complete", 3, 5, false, 0, 100 * MS, -1, true, 443, null, null));
        ProcessAction.Connect first = connect(110, 8001), second = connect(120, 8001);
        correlator.action(first);
        correlator.action(second);
        correlator.action(new ProcessAction.ConnectResult(121 * MS, second, -111));
        assertThat(call().get("effects").valueStream().map(e -> e.get("result").asLong()))
                .containsExactly(EINPROGRESS, -111L);
    }
}
