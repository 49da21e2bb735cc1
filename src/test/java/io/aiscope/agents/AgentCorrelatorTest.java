package io.aiscope.agents;

import io.aiscope.correlate.ProcessAction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class AgentCorrelatorTest {
    private static final long MS = 1_000_000L;
    private static final int AGENT = 100, SHELL = 101, TOOL = 102, OTHER_TREE = 200;
    private static final int O_WRONLY_CREAT_TRUNC = 01 | 0100 | 01000;

    private static ObservedCall call(long id, int pid, long startMs, long endMs) {
        return new ObservedCall(id, pid, pid, "openai", "api.openai.com", "openai", "chat", "gpt", false, 200, null,
                "complete", 3, 5, false, startMs * MS, endMs * MS, -1, true, 443, null, null);
    }

    private static ProcessAction exec(long ms, int pid, String... argv) {
        return new ProcessAction.Exec(ms * MS, pid, "/bin/" + argv[0], List.of(argv));
    }

    @Test
    void actionsFollowTheLastAnswerOfTheirTreeUntilTheNextOne() {
        AgentCorrelator c = new AgentCorrelator(10_000 * MS);
        c.call(call(1, AGENT, 0, 100));
        c.action(new ProcessAction.Fork(110 * MS, SHELL, AGENT));
        c.action(exec(111, SHELL, "sh", "-c", "ls | wc -l"));
        c.action(new ProcessAction.Fork(112 * MS, TOOL, SHELL));
        c.action(exec(113, TOOL, "ls"));
        c.action(new ProcessAction.Exit(114 * MS, TOOL, 0));
        c.action(new ProcessAction.Exit(115 * MS, SHELL, 3));
        c.action(new ProcessAction.FileOpen(120 * MS, AGENT, AGENT, "/tmp/out.txt", O_WRONLY_CREAT_TRUNC, 4));
        c.action(new ProcessAction.FileOpen(121 * MS, AGENT, AGENT, "/etc/hosts", 0, 5)); // a read: no effect
        c.action(new ProcessAction.FileOpen(122 * MS, SHELL, SHELL, "/dev/null", 01, 1)); // plumbing: no effect
        c.action(new ProcessAction.Connect(130 * MS, AGENT, AGENT, "127.0.0.1", 9, -111));
        c.action(new ProcessAction.Connect(190 * MS, AGENT, AGENT, "127.0.0.1", 443, 0)); // the next call's own
        c.call(call(2, AGENT, 200, 300));
        c.action(new ProcessAction.FileOpen(250 * MS, AGENT, AGENT, "/tmp/during.txt", 0101, 6)); // before 2 ended
        c.action(new ProcessAction.FileOpen(310 * MS, AGENT, AGENT, "/tmp/after2.txt", 0101, 7));
        c.action(exec(50, OTHER_TREE, "date")); // another tree

        List<AgentTurn> turns = c.turns(Long.MIN_VALUE);
        assertThat(turns).hasSize(2);
        AgentTurn first = turns.get(0);
        assertThat(first.effects()).extracting(Effect::kind)
                .containsExactly("exec", "exec", "file_write", "connect", "file_write");
        assertThat(first.effects().get(0).depth()).isEqualTo(1);
        assertThat(first.effects().get(0).exitCode()).isEqualTo(3);
        assertThat(first.effects().get(1).depth()).isEqualTo(2);
        assertThat(first.effects().get(1).exitCode()).isZero();
        assertThat(first.effects().get(2).afterNs()).isEqualTo(20 * MS);
        assertThat(((ProcessAction.FileOpen) first.effects().get(4).action()).path()).isEqualTo("/tmp/during.txt");
        assertThat(turns.get(1).effects()).extracting(e -> ((ProcessAction.FileOpen) e.action()).path())
                .containsExactly("/tmp/after2.txt");
    }

    @Test
    void actionsPastTheWindowFollowNoCall() {
        AgentCorrelator c = new AgentCorrelator(50 * MS);
        c.call(call(1, AGENT, 0, 100));
        c.action(exec(150, AGENT, "true"));
        c.action(exec(151, AGENT, "false"));
        assertThat(c.turns(Long.MIN_VALUE).getFirst().effects()).extracting(e -> e.action().tsNs())
                .containsExactly(150 * MS);
    }

    @Test
    void theCallersParentAndSiblingsAreNotItsEffects() {
        AgentCorrelator c = new AgentCorrelator(10_000 * MS);
        c.action(new ProcessAction.Fork(1 * MS, AGENT, SHELL));
        c.action(new ProcessAction.Fork(2 * MS, TOOL, SHELL));
        c.call(call(1, AGENT, 5, 10));
        c.action(exec(20, SHELL, "next-step"));
        c.action(exec(21, TOOL, "sibling"));
        c.action(exec(22, AGENT, "mine"));
        assertThat(c.turns(Long.MIN_VALUE).getFirst().effects())
                .extracting(e -> ((ProcessAction.Exec) e.action()).argv().getFirst()).containsExactly("mine");
    }

    @Test
    void actionsBeforeAnyCallAndCallsFromOtherTreesStayApart() {
        AgentCorrelator c = new AgentCorrelator(10_000 * MS);
        c.action(exec(10, AGENT, "early"));
        c.call(call(1, OTHER_TREE, 0, 20));
        c.call(call(2, AGENT, 30, 40));
        c.action(exec(45, OTHER_TREE, "theirs"));
        List<AgentTurn> turns = c.turns(Long.MIN_VALUE);
        assertThat(turns.get(0).effects()).extracting(e -> ((ProcessAction.Exec) e.action()).argv().getFirst())
                .containsExactly("theirs");
        assertThat(turns.get(1).effects()).isEmpty();
    }

    @Test
    void effectsBeyondTheBoundAreCounted() {
        AgentCorrelator c = new AgentCorrelator(10_000 * MS);
        c.call(call(1, AGENT, 0, 1));
        int n = AgentCorrelator.MAX_EFFECTS_PER_CALL + 7;
        for (int i = 0; i < n; i++) {
            c.action(exec(2 + i, AGENT, "x"));
        }
        AgentTurn t = c.turns(Long.MIN_VALUE).getFirst();
        assertThat(t.effects()).hasSize(AgentCorrelator.MAX_EFFECTS_PER_CALL);
        assertThat(t.effectsLeftOut()).isEqualTo(7);
    }

    @Test
    void providersAreNamedByHost() {
        assertThat(Providers.of("api.openai.com")).isEqualTo("openai");
        assertThat(Providers.of("API.Anthropic.com:443")).isEqualTo("anthropic");
        assertThat(Providers.of("myres.openai.azure.com")).isEqualTo("azure.ai.openai");
        assertThat(Providers.of("127.0.0.1:8443")).isEqualTo("127.0.0.1");
        assertThat(Providers.of("[::1]:8443")).isEqualTo("[::1]");
        assertThat(Providers.of(null)).isEqualTo("unknown");
    }
}
