package io.aiscope.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.AgentLog;
import io.aiscope.engine.Families;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.Session;
import io.aiscope.engine.TraceEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real BPF, real sockets. Peers are started waiting for a go line on stdin, so tracing is in place before they
 * touch the network; their own numbers (bytes they moved, the kernel's per-socket and per-namespace retransmit
 * counters) are what the report is checked against.
 */
@Tag("kernel")
class TcpKernelTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PYTHON = "/usr/bin/python3";

    /**
     * Peers with distinct byte counts per connection and direction (so a swap or a SYN/FIN counted as data shows):
     * connection i moves up(i) bytes client to server, then down(i) back; even ones are closed by the client
     * first, odd ones by the server. Even ones go over IPv4, odd ones over IPv6.
     */
    static final String PEERS = """
            import socket, sys
            def up(i): return 1000 * (i + 1) + 7
            def down(i): return 3000 * (i + 1) + 11
            def recv_exact(s, n):
                while n > 0:
                    b = s.recv(min(n, 65536))
                    if not b: sys.exit("short read")
                    n -= len(b)
            def eof(s):
                if s.recv(1) != b"": sys.exit("expected EOF")
            mode, k = sys.argv[1], int(sys.argv[2])
            if mode == "server":
                sys.stdin.readline()
                l4 = socket.socket(socket.AF_INET); l4.bind(("127.0.0.1", 0)); l4.listen(16)
                l6 = socket.socket(socket.AF_INET6); l6.bind(("::1", 0)); l6.listen(16)
                print(l4.getsockname()[1], l6.getsockname()[1], flush=True)
                for i in range(k):
                    c, _ = (l4 if i % 2 == 0 else l6).accept()
                    recv_exact(c, up(i)); c.sendall(b"s" * down(i))
                    if i % 2 == 0: eof(c)
                    c.close()
            elif mode == "client":
                p4, p6 = map(int, sys.stdin.readline().split())
                for i in range(k):
                    s = socket.create_connection(("127.0.0.1", p4) if i % 2 == 0 else ("::1", p6))
                    s.sendall(b"c" * up(i)); recv_exact(s, down(i))
                    if i % 2 == 1: eof(s)
                    s.close()
            elif mode == "late-client":
                # Connected and 400 bytes in before tracing begins: only what follows is the traced process's.
                s = socket.create_connection(("127.0.0.1", k))
                s.sendall(b"c" * 400)
                print("connected", flush=True)
                sys.stdin.readline()
                s.sendall(b"c" * (up(0) - 400)); recv_exact(s, down(0))
                s.close()
            elif mode == "refused":
                sys.stdin.readline()
                try:
                    socket.create_connection(("127.0.0.1", k))
                    sys.exit("connected to a closed port")
                except ConnectionRefusedError:
                    pass
            """;

    @TempDir
    static Path dir;
    static Path peers;

    Session session;
    TcpFamily tcp;
    final List<Process> started = new ArrayList<>();

    @BeforeAll
    static void writePeers() throws IOException, InterruptedException {
        peers = dir.resolve("peers.py");
        Files.writeString(peers, PEERS);
        for (String prog : List.of("tcp_client", "tcp_echo_server")) {
            run("gcc", "-O2", "-pthread", "-o", dir.resolve(prog).toString(),
                    Path.of("workloads/net/" + prog + ".c").toAbsolutePath().toString());
        }
    }

    @BeforeEach
    void startSession() {
        session = new Session(new AgentLog(System.err, false), new ProcessNames(100));
        session.load(Families.create(List.of("tcp")));
        session.start(false);
        tcp = (TcpFamily) session.families().stream().filter(f -> f instanceof TcpFamily).findFirst().orElseThrow();
    }

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
        session.close();
    }

    @Test
    void everyConnectionOfClientAndServerHasItsExactBytes() throws Exception {
        int k = 6;
        List<TraceEvent> events = new CopyOnWriteArrayList<>();
        session.onEvent(e -> {
            if (e.family().equals("tcp")) {
                events.add(e);
            }
        });
        Process server = start(PYTHON, peers.toString(), "server", Integer.toString(k));
        Process client = start(PYTHON, peers.toString(), "client", Integer.toString(k));
        int serverPid = (int) server.pid(), clientPid = (int) client.pid();
        session.trace(serverPid);
        session.trace(clientPid);
        send(server, "go");
        String ports = new BufferedReader(new InputStreamReader(server.getInputStream())).readLine();
        send(client, ports);
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isZero();
        assertThat(server.exitValue()).isZero();
        int p4 = Integer.parseInt(ports.split(" ")[0]), p6 = Integer.parseInt(ports.split(" ")[1]);

        JsonNode r = reportWhen(s -> closed(s, clientPid) == k && closed(s, serverPid) == k);
        System.err.println("tcp report: " + r.toPrettyString());
        List<JsonNode> clientConns = connections(r, clientPid), serverConns = connections(r, serverPid);
        assertThat(clientConns).hasSize(k);
        assertThat(serverConns).hasSize(k);
        Map<Integer, Long> expectUp = new HashMap<>(), seenUp = new HashMap<>();
        for (int i = 0; i < k; i++) {
            expectUp.put(i, 1000L * (i + 1) + 7);
        }
        for (JsonNode c : clientConns) {
            assertThat(c.get("role").asText()).isEqualTo("client");
            assertThat(c.get("comm").asText()).isEqualTo("python3");
            assertThat(c.get("established").asBoolean()).isTrue();
            assertThat(c.get("open").asBoolean()).isFalse();
            long up = c.get("tx_bytes").asLong();
            int i = (int) ((up - 7) / 1000) - 1;
            assertThat(expectUp.get(i)).as("tx of %s", c).isEqualTo(up);
            assertThat(c.get("rx_bytes").asLong()).as("rx of %s", c).isEqualTo(3000L * (i + 1) + 11);
            boolean v4 = i % 2 == 0;
            assertThat(c.get("laddr").asText()).isEqualTo(v4 ? "127.0.0.1" : "::1");
            assertThat(c.get("raddr").asText()).isEqualTo(v4 ? "127.0.0.1" : "::1");
            assertThat(c.get("rport").asInt()).isEqualTo(v4 ? p4 : p6);
            assertThat(c.get("connect_latency_ms").asDouble()).isGreaterThan(0).isLessThan(1000);
            assertThat(c.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(c.get("connect_latency_ms").asDouble());
            assertThat(c.get("retransmits").asLong()).isZero();
            seenUp.put(i, up);
        }
        assertThat(seenUp).isEqualTo(expectUp);
        for (JsonNode c : serverConns) {
            assertThat(c.get("role").asText()).isEqualTo("server");
            long up = c.get("rx_bytes").asLong();
            int i = (int) ((up - 7) / 1000) - 1;
            assertThat(expectUp.get(i)).as("rx of %s", c).isEqualTo(up);
            assertThat(c.get("tx_bytes").asLong()).as("tx of %s", c).isEqualTo(3000L * (i + 1) + 11);
            assertThat(c.get("lport").asInt()).isEqualTo(i % 2 == 0 ? p4 : p6);
            assertThat(c.get("connect_latency_ms").isNull()).isTrue();
            // The mirror image of the client's connection.
            JsonNode peer = clientConns.stream().filter(x -> x.get("lport").asInt() == c.get("rport").asInt())
                    .findFirst().orElseThrow();
            assertThat(peer.get("rx_bytes").asLong()).isEqualTo(c.get("tx_bytes").asLong());
        }
        assertThat(r.get("connect_latency_ms").get("count").asLong()).isEqualTo(k);
        assertThat(r.get("connect_latency_ms").get("max").asDouble()).isGreaterThan(0);
        JsonNode cp = process(r, clientPid);
        long upTotal = expectUp.values().stream().mapToLong(Long::longValue).sum();
        long downTotal = 0;
        for (int i = 0; i < k; i++) {
            downTotal += 3000L * (i + 1) + 11;
        }
        assertThat(cp.get("connections_opened").asLong()).isEqualTo(k);
        assertThat(cp.get("opened_by_role").get("client").asLong()).isEqualTo(k);
        assertThat(cp.get("tx_bytes").asLong()).isEqualTo(upTotal);
        assertThat(cp.get("rx_bytes").asLong()).isEqualTo(downTotal);
        assertThat(process(r, serverPid).get("opened_by_role").get("server").asLong()).isEqualTo(k);
        assertThat(tcp.process(clientPid).orElseThrow().txBytes()).isEqualTo(upTotal);
        assertThat(r.get("retransmits").asLong()).isZero();
        assertThat(session.log().unavailable()).as("every tcp program attached").isEmpty();
        // The trace stream: one connect and one close per client connection, one accept and one close per server one;
        // close events keep the local port the kernel has already released.
        assertThat(events.stream().filter(e -> e.type().equals("connect")).count()).isEqualTo(k);
        assertThat(events.stream().filter(e -> e.type().equals("accept")).count()).isEqualTo(k);
        List<TraceEvent> closes = events.stream().filter(e -> e.type().equals("close")).toList();
        assertThat(closes).hasSize(2 * k);
        assertThat(closes).allSatisfy(e -> assertThat((int) e.fields().get("lport")).isPositive());
        assertThat(closes.stream().filter(e -> e.pid() == clientPid).map(e -> e.fields().get("lport")).toList())
                .containsExactlyInAnyOrderElementsOf(clientConns.stream().map(c -> c.get("lport").asInt()).toList());
    }

    @Test
    void aRefusedConnectIsAFailureNotAConnection() throws Exception {
        int closedPort;
        try (var probe = new java.net.ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        Process client = start(PYTHON, peers.toString(), "refused", Integer.toString(closedPort));
        int clientPid = (int) client.pid();
        session.trace(clientPid);
        send(client, "go");
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isZero();

        JsonNode r = reportWhen(s -> process(s, clientPid) != null);
        assertThat(process(r, clientPid).get("connect_failures").asLong()).isEqualTo(1);
        assertThat(process(r, clientPid).get("connections_opened").asLong()).isZero();
        assertThat(r.get("connect_latency_ms").get("count").asLong()).isZero();
        JsonNode c = connections(r, clientPid).getFirst();
        assertThat(c.get("established").asBoolean()).isFalse();
        assertThat(c.get("last_state").asText()).isEqualTo("SYN_SENT");
        assertThat(c.get("rport").asInt()).isEqualTo(closedPort);
        assertThat(c.get("connect_latency_ms").isNull()).isTrue();
        assertThat(c.get("tx_bytes").asLong()).isZero();
    }

    @Test
    void aConnectionOpenBeforeTracingIsAdoptedAtItsFirstSend() throws Exception {
        Process server = start(PYTHON, peers.toString(), "server", "1");  // not traced
        send(server, "go");
        String ports = new BufferedReader(new InputStreamReader(server.getInputStream())).readLine();
        Process client = start(PYTHON, peers.toString(), "late-client", ports.split(" ")[0]);
        assertThat(new BufferedReader(new InputStreamReader(client.getInputStream())).readLine()).isEqualTo("connected");
        int clientPid = (int) client.pid();
        session.trace(clientPid);
        send(client, "go");
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.exitValue()).isZero();

        JsonNode r = reportWhen(s -> closed(s, clientPid) == 1);
        System.err.println("tcp report: " + r.toPrettyString());
        assertThat(r.get("connections")).hasSize(1);  // the untraced server's side is not ours
        JsonNode c = r.get("connections").get(0);
        assertThat(c.get("pid").asInt()).isEqualTo(clientPid);
        assertThat(c.get("role").asText()).isEqualTo("unknown");
        assertThat(c.get("tx_bytes").asLong()).isEqualTo(1007 - 400);
        assertThat(c.get("rx_bytes").asLong()).isEqualTo(3011);
        assertThat(c.get("connect_latency_ms").isNull()).isTrue();
        assertThat(r.get("connect_latency_ms").get("count").asLong()).isZero();
    }

    /**
     * workloads/net/lossy-flow drops about half of the client's data segments in a private namespace. Each
     * retransmitted segment the kernel counted (the namespace's Tcp RetransSegs) must land on the connection and
     * process that owns the socket, though the retransmissions run in softirq and timer context.
     */
    @Test
    void retransmitsLandOnTheFlowThatLostPackets() throws Exception {
        int conns = 2, bytes = 65536;
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "read -r go && exec \"$0\" \"$@\"",
                Path.of("workloads/net/lossy-flow").toAbsolutePath().toString(), "--bytes", Integer.toString(bytes),
                "--conns", Integer.toString(conns));
        pb.environment().put("AISCOPE_WORKLOADS", dir.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process flow = pb.start();
        started.add(flow);
        session.trace((int) flow.pid());
        send(flow, "go");
        String out = new String(flow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(flow.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(flow.exitValue()).as("lossy-flow: %s", out).isZero();
        JsonNode truth = JSON.readTree(out);
        int clientPid = truth.get("client_pid").asInt(), serverPid = truth.get("server").get("pid").asInt();
        int port = truth.get("port").asInt();
        long retransSegs = truth.get("retrans_segs").asLong();

        JsonNode r = reportWhen(s -> closed(s, clientPid) == conns && closed(s, serverPid) == conns);
        System.err.println("lossy-flow: " + truth.toPrettyString() + "\ntcp report: " + r.toPrettyString());
        assertThat(retransSegs).as("the flow lost packets").isPositive();
        // Everything the namespace counted, and nothing more, is attributed.
        assertThat(r.get("retransmits").asLong()).isEqualTo(retransSegs);
        // The client's share is exactly what its sockets said (tcpi_total_retrans, final once the echo is in).
        assertThat(process(r, clientPid).get("retransmits").asLong()).isEqualTo(truth.get("client").get("retrans").asLong());
        assertThat(process(r, clientPid).get("retransmits").asLong()
                + process(r, serverPid).get("retransmits").asLong()).isEqualTo(retransSegs);
        // Per connection: the client's match their sockets; no connection outside the flow has any.
        Map<Integer, Long> perSocket = new HashMap<>();
        truth.get("client").get("conns").forEach(c -> perSocket.put(c.get("local_port").asInt(), c.get("retrans").asLong()));
        long perConnectionSum = 0;
        for (JsonNode c : r.get("connections")) {
            assertThat(c.get("lport").asInt() == port || c.get("rport").asInt() == port).as("flow's: %s", c).isTrue();
            perConnectionSum += c.get("retransmits").asLong();
            if (c.get("pid").asInt() == clientPid) {
                assertThat(c.get("retransmits").asLong()).as("%s", c).isEqualTo(perSocket.get(c.get("lport").asInt()));
                assertThat(c.get("tx_bytes").asLong()).isEqualTo(bytes);
                assertThat(c.get("rx_bytes").asLong()).isEqualTo(bytes);
            } else {
                assertThat(c.get("pid").asInt()).isEqualTo(serverPid);
                assertThat(c.get("role").asText()).isEqualTo("server");
                assertThat(c.get("tx_bytes").asLong()).isEqualTo(bytes);
                assertThat(c.get("rx_bytes").asLong()).isEqualTo(bytes);
            }
        }
        assertThat(connections(r, clientPid)).hasSize(conns);
        assertThat(connections(r, serverPid)).hasSize(conns);
        assertThat(perConnectionSum).isEqualTo(retransSegs);
    }

    // --- helpers

    Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(p);
        return p;
    }

    static void send(Process p, String line) throws IOException {
        OutputStream in = p.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The tcp section once {@code ready} holds (close events can trail the processes' exit a little). */
    JsonNode reportWhen(Predicate<JsonNode> ready) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            session.drain();
            ObjectNode section = JSON.createObjectNode();
            tcp.report(section, session.names());
            if (ready.test(section) || System.nanoTime() > deadline) {
                return section;
            }
            Thread.sleep(50);
        }
    }

    static long closed(JsonNode r, int pid) {
        JsonNode p = process(r, pid);
        return p == null ? 0 : p.get("connections_closed").asLong();
    }

    static JsonNode process(JsonNode r, int pid) {
        for (JsonNode p : r.get("processes")) {
            if (p.get("pid").asInt() == pid) {
                return p;
            }
        }
        return null;
    }

    static List<JsonNode> connections(JsonNode r, int pid) {
        List<JsonNode> out = new ArrayList<>();
        r.get("connections").forEach(c -> {
            if (c.get("pid").asInt() == pid) {
                out.add(c);
            }
        });
        return out;
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }
}
