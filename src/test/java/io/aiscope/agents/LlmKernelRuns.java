package io.aiscope.agents;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** What the kernel tests of LLM calls and agents share: running clients, reading their accounts and aiscope's. */
final class LlmKernelRuns {
    private LlmKernelRuns() {}

    /**
     * {@code cmd} under SCHED_FIFO (chrt execs it: same pid). A client compared on timing must not wait for a CPU
     * between its clock reads and its TLS calls, which no observer of those calls can see (HttpRequestsKernelTest:
     * 3-16 ms on a loaded 2-CPU machine, even at nice -20). The clients block on their sockets most of the time.
     */
    static List<String> fifo(List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("chrt", "-f", "1"));
        out.addAll(cmd);
        return out;
    }

    /** {@code aiscope run --json --probes tls [options] -- cmd}, which must exit 0. */
    static Aiscope.Traced trace(List<String> cmd, String... options) {
        List<String> opts = new ArrayList<>(List.of("--probes", "tls"));
        opts.addAll(List.of(options));
        Aiscope.Traced t = Aiscope.trace(opts, cmd.toArray(String[]::new));
        assertThat(t.result().exitCode()).as("%s%n%s", cmd, t.result().stderr()).isZero();
        assertThat(t.report()).as(t.result().stderr()).isNotNull();
        return t;
    }

    /** The JSON lines of a client's (or agent's) stdout; other lines (a live view's) are skipped. */
    static List<JsonNode> ndjson(String stdout) {
        List<JsonNode> records = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("{")) {
                try {
                    records.add(Aiscope.JSON.readTree(line));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return records;
    }

    /** {@code .llm.calls}, after checking that the report counted every one and kept them all. */
    static List<JsonNode> calls(JsonNode report, int expected) {
        JsonNode llm = report.path("llm");
        List<JsonNode> calls = StreamSupport.stream(llm.path("calls").spliterator(), false).toList();
        assertThat(calls).as(llm.toString()).hasSize(expected);
        assertThat(llm.path("calls_total").asInt()).isEqualTo(expected);
        return calls;
    }

    /** Nothing lost or misread, nothing thrown: so the counts the tests compare are all there is. */
    static void assertNothingLost(JsonNode report) {
        JsonNode agent = report.path("agent");
        assertThat(agent.path("dropped").asLong()).as(agent.toString()).isZero();
        assertThat(agent.path("undecodable").asLong()).as(agent.toString()).isZero();
        assertThat(agent.path("warnings").toString()).doesNotContain("could not be handled");
        assertThat(report.at("/tls/parse_errors").asLong()).isZero();
        assertThat(report.path("llm").path("actions_left_out").asLong()).isZero();
    }

    /** The same time measured by aiscope and by the client itself: within 2 %, or 1 ms for short ones. */
    static void assertSameTime(String what, JsonNode aiscopeMs, JsonNode clientNs) {
        assertThat(aiscopeMs.isNumber()).as(what + ": aiscope measured it").isTrue();
        double client = clientNs.asLong() / 1e6;
        assertThat(aiscopeMs.asDouble()).as(what).isCloseTo(client, offset(Math.max(0.02 * client, 1.0)));
    }

    static Integer nullableInt(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asInt();
    }

    static String nullableText(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    /** A loopback TCP listener that accepts and closes, counting connections: the agent's "connect" target. */
    static final class Listener implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger accepted = new AtomicInteger();
        private final Thread acceptor;

        Listener() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = Thread.ofPlatform().daemon().name("agent-target").start(() -> {
                while (true) {
                    try (Socket s = socket.accept()) {
                        accepted.incrementAndGet();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        String target() {
            return "127.0.0.1:" + port();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5_000);
        }
    }
}
