package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each request's decomposition against the CUDA work that request really did: {@code cuda_http_server}
 * (workloads/cuda/cuda_http_server.cu) makes a known sequence of libcudart calls in its request handler and says
 * in its response which, on which thread. aiscope traces the server ({@code trace --family http --family cuda});
 * the test JVM, not traced, sends the requests one after another on one keep-alive connection.
 *
 * <p>What aiscope counts as a request's {@code cuda_calls}: every call of a probed runtime function
 * ({@link io.aiscope.probe.cuda.CudaFunction}) that started between the request's first byte (the read that
 * returned it) and its last response byte (the start of the send), on the request's thread or, when more than one
 * thread moved its bytes, in the whole process. For {@code /work} that is cudaMalloc, one cudaLaunchKernel per
 * {@code <<<>>>} launch (the stub's {@code __cudaPushCallConfiguration}, {@code __cudaPopCallConfiguration} and
 * {@code __cudaLaunchKernel} are not probed; the last is a jmp into cudaLaunchKernel, whose uprobe fires once),
 * the copies, the syncs and cudaFree, plus {@code __cudaGetKernel}, which nvcc 13's launch stub calls once per
 * kernel per process (a function-local static): by experiment, exactly once, in the first request that launches,
 * even though without a driver it fails (35) and so does every later launch. The runtime's lazy initialisation
 * happens inside that first request's cudaMalloc (about 0.2 ms here, against 1-3 µs for later calls) and makes no
 * probed call of its own. Without a GPU every call returns 35 at once and is counted all the same.
 */
@Tag("kernel")
class HttpCudaDecompositionKernelTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Pattern SUMMARY =
            Pattern.compile("aiscope: (\\d+) events shown, (\\d+) dropped in kernel .*, (\\d+) dropped in queue .*");

    /** A request sent, the server's own account of it (its JSON body, null for /health), and what aiscope saw. */
    record Exchange(String target, int status, JsonNode account, JsonNode request) {}

    /** Everything one traced session of the server printed. */
    record Traced(List<Exchange> exchanges, List<JsonNode> cudaEvents, List<JsonNode> requests) {}

    @Test
    void eachRequestCountsExactlyTheCudaCallsItsHandlerMade() throws Exception {
        Traced t = traceRequests(
                "/work?launches=3&copies=2&bytes=4096&syncs=1",      // the process's first launch: +__cudaGetKernel
                "/work?launches=7&copies=0&bytes=0&syncs=0",
                "/health",
                "/work?launches=11&copies=5&bytes=1000&syncs=2&after=4", // 4 syncs after its response is sent
                "/work?launches=0&copies=1&bytes=65536&syncs=3",      // ...which are in neither window
                "/work?launches=2&copies=3&bytes=777&syncs=1&pool=1&writer=worker",
                "/health",
                "/work?launches=5&copies=2&bytes=2048&syncs=2&pool=1&writer=worker&after=2");
        long expectedCalls = 0;
        for (int i = 0; i < t.exchanges().size(); i++) {
            Exchange x = t.exchanges().get(i);
            JsonNode r = x.request(), d = r.get("decomposition"), a = x.account();
            String what = x.target() + "\n  server said: " + a + "\n  aiscope: " + r;
            assertThat(x.status()).as(what).isEqualTo(200);
            assertThat(r.get("path").asText()).as(what).isEqualTo(x.target().split("\\?")[0]);
            assertThat(r.get("status").asInt()).as(what).isEqualTo(200);
            assertThat(r.get("outcome").asText()).as(what).isEqualTo("complete");
            assertThat(d.get("cuda_sync_ms").asDouble()).as(what)
                    .isGreaterThanOrEqualTo(0.0).isLessThanOrEqualTo(r.get("latency_ms").asDouble());
            assertThat(d.get("retransmits").asLong()).as(what).isZero();
            if (a == null) { // /health: no CUDA at all, and nothing leaks in from the requests around it
                assertThat(d.get("attribution").asText()).as(what).isEqualTo("thread");
                assertThat(d.get("cuda_calls").asLong()).as(what).isZero();
                assertThat(d.get("cuda_launches").asLong()).as(what).isZero();
                assertThat(d.get("cuda_copy_bytes").asLong()).as(what).isZero();
                assertThat(d.get("cuda_sync_ms").asDouble()).as(what).isZero();
                continue;
            }
            int reader = a.get("reader_tid").asInt(), cuda = a.get("cuda_tid").asInt();
            boolean handedOff = a.get("writer").asText().equals("worker");
            if (handedOff) {
                // Read by the connection's thread, worked on and answered by a pool worker: process-wide over the
                // request's window, which the sequential requests leave to this one alone.
                assertThat(cuda).as(what).isNotEqualTo(reader);
                assertThat(ints(r.get("threads"))).as(what).isEqualTo(new TreeSet<>(Set.of(reader, cuda)));
                assertThat(d.get("attribution").asText()).as(what).isEqualTo("process-window");
                assertThat(d.has("on_cpu_ms")).as(what).isFalse();
            } else {
                assertThat(cuda).as(what).isEqualTo(reader);
                assertThat(ints(r.get("threads"))).as(what).containsExactly(reader);
                assertThat(d.get("attribution").asText()).as(what).isEqualTo("thread");
            }
            // The server's account is what was asked of it.
            assertThat(a.get("probed_calls").asLong()).as(what).isEqualTo(2 + a.get("launches").asLong()
                    + a.get("copies").asLong() + a.get("syncs").asLong() + a.at("/calls/__cudaGetKernel").asLong());
            assertThat(a.at("/calls/__cudaGetKernel").asLong()).as(what).isEqualTo(i == 0 ? 1 : 0);
            // aiscope's figures are exactly the handler's calls: not one more (the previous request's `after`
            // syncs, made after its last byte, before this one's first), not one less (the lazy init in the first).
            assertThat(d.get("cuda_calls").asLong()).as(what).isEqualTo(a.get("probed_calls").asLong());
            assertThat(d.get("cuda_launches").asLong()).as(what).isEqualTo(a.get("launches").asLong());
            assertThat(d.get("cuda_copy_bytes").asLong()).as(what).isEqualTo(a.get("copy_bytes").asLong())
                    .isEqualTo(a.get("copies").asLong() * a.get("bytes").asLong());
            // The sync time is the syncs' own durations, as their events carry them (to the microsecond).
            List<JsonNode> inWindow = inWindow(t.cudaEvents(), r, handedOff ? 0 : reader);
            assertThat(inWindow).as(what).hasSize((int) a.get("probed_calls").asLong())
                    .allSatisfy(e -> assertThat(e.get("tid").asInt()).as(what).isEqualTo(cuda));
            double syncUs = inWindow.stream().filter(e -> e.get("type").asText().endsWith("Synchronize"))
                    .mapToDouble(e -> e.get("duration_us").asDouble()).sum();
            assertThat(inWindow.stream().filter(e -> e.get("type").asText().endsWith("Synchronize")))
                    .as(what).hasSize((int) a.get("syncs").asLong());
            assertThat(Math.abs(d.get("cuda_sync_ms").asDouble() - syncUs / 1000)).as(what).isLessThanOrEqualTo(0.002);
            expectedCalls += a.get("probed_calls").asLong() + a.get("after").asLong();
        }
        // Every call the server made was traced, the `after` syncs too (outside every window), and nothing more.
        assertThat(t.cudaEvents()).hasSize((int) expectedCalls);
        assertThat(t.cudaEvents().stream().filter(e -> e.get("type").asText().equals("__cudaGetKernel"))).hasSize(1);
        List<JsonNode> outside = t.cudaEvents().stream()
                .filter(e -> t.requests().stream().noneMatch(r -> within(e, r))).toList();
        assertThat(outside).hasSize(4 + 2).allSatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("cudaDeviceSynchronize");
        });
    }

    /**
     * The blind spot of thread attribution, as aiscope stands: the reading thread hands the CUDA work to a pool
     * worker, waits, and answers itself. Every byte of the request moved on one thread, so the request is that
     * thread's, and the worker's calls, inside the request's window, are not counted. (aiscope sees them: they are
     * in the cuda family's events.) Change this test if the decomposition learns to follow such hand-offs.
     */
    @Test
    void cudaWorkOfAPoolWorkerIsNotCountedWhenTheReadingThreadAnswers() throws Exception {
        Traced t = traceRequests("/work?launches=4&copies=1&bytes=512&syncs=1&pool=1");
        Exchange x = t.exchanges().getFirst();
        JsonNode r = x.request(), d = r.get("decomposition"), a = x.account();
        String what = a + "\n  aiscope: " + r;
        int reader = a.get("reader_tid").asInt(), cuda = a.get("cuda_tid").asInt();
        assertThat(cuda).as(what).isNotEqualTo(reader);
        assertThat(ints(r.get("threads"))).as(what).containsExactly(reader);
        assertThat(d.get("attribution").asText()).as(what).isEqualTo("thread");
        assertThat(d.get("cuda_calls").asLong()).as(what).isZero();
        assertThat(d.get("cuda_launches").asLong()).as(what).isZero();
        assertThat(d.get("cuda_copy_bytes").asLong()).as(what).isZero();
        // 1 + 4 + 1 + 1 + 1, and the process's first launch's __cudaGetKernel: all on the worker, all in the window.
        assertThat(a.get("probed_calls").asLong()).isEqualTo(9);
        assertThat(inWindow(t.cudaEvents(), r, 0)).as(what).hasSize(9)
                .allSatisfy(e -> assertThat(e.get("tid").asInt()).isEqualTo(cuda));
        // What thread attribution sums: the reading thread's own calls in the window, of which there are none.
        assertThat(inWindow(t.cudaEvents(), r, reader)).as(what).isEmpty();
    }

    /**
     * Starts the server, traces it, sends {@code targets} in turn on one keep-alive connection, stops aiscope with
     * SIGINT, and pairs each request sent with the one aiscope reported (same connection, in order).
     */
    private static Traced traceRequests(String... targets) throws Exception {
        Process server = new ProcessBuilder(Workloads.get("cuda_http_server").toString(), "--port", "0",
                "--threads", "2").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(line).startsWith("listening on 127.0.0.1:");
            int port = Integer.parseInt(line.substring(line.lastIndexOf(':') + 1)), pid = (int) server.pid();
            List<Exchange> sent = new ArrayList<>();
            int localPort;
            List<String> stdout, stderr;
            try (LiveCommand trace = new LiveCommand("trace", "-p", Integer.toString(pid), "--family", "http",
                    "--family", "cuda", "--json")) {
                trace.awaitStderr(l -> l.startsWith("aiscope: tracing"), STARTUP);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setTcpNoDelay(true);
                    localPort = s.getLocalPort();
                    for (String target : targets) {
                        sent.add(exchange(s, target));
                    }
                }
                // A request is reported one pass of aiscope's event reader after the pass that read its end, and
                // Ctrl-C waits for two passes (Session.drain): a reader far behind (a cold JVM on a busy machine)
                // can stop one pass short of the last request. Wait for its line (ids count the requests reported,
                // from 1) rather than for a fixed time.
                String last = "\"id\":" + targets.length + ",";
                trace.awaitStdout(l -> l.contains("\"type\":\"request\"") && l.contains(last), STARTUP);
                trace.signal("INT");
                assertThat(trace.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", trace.stderr())).isZero();
                stdout = trace.stdout();
                stderr = trace.stderr();
            }
            // Nothing lost on the way: not in the kernel's rings, not in the output queue.
            Matcher m = stderr.stream().map(SUMMARY::matcher).filter(Matcher::matches).findFirst()
                    .orElseThrow(() -> new AssertionError("no summary line:\n" + String.join("\n", stderr)));
            assertThat(m.group(2) + " " + m.group(3)).as(String.join("\n", stderr)).isEqualTo("0 0");
            List<JsonNode> requests = new ArrayList<>(), cuda = new ArrayList<>();
            for (String l : stdout) {
                JsonNode e = Aiscope.JSON.readTree(l);
                assertThat(e.get("pid").asInt()).as(l).isEqualTo(pid);
                if (e.get("family").asText().equals("http") && e.get("type").asText().equals("request")) {
                    requests.add(e);
                } else if (e.get("family").asText().equals("cuda")) {
                    cuda.add(e);
                }
            }
            requests.sort(Comparator.comparingLong(e -> e.get("start_ns").asLong()));
            assertThat(requests).as("requests aiscope saw; it printed:\n%s\n%s", String.join("\n", stdout),
                            String.join("\n", stderr)).hasSize(targets.length)
                    .allSatisfy(r -> {
                        assertThat(r.get("role").asText()).isEqualTo("server");
                        assertThat(r.get("remote_port").asInt()).isEqualTo(localPort);
                    });
            List<Exchange> exchanges = new ArrayList<>();
            for (int i = 0; i < targets.length; i++) {
                Exchange x = sent.get(i);
                exchanges.add(new Exchange(x.target(), x.status(), x.account(), requests.get(i)));
            }
            return new Traced(exchanges, cuda, requests);
        } finally {
            server.destroy(); // SIGTERM: it exits 0
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /** One request in one write, its response read to the end of its Content-Length body. */
    private static Exchange exchange(Socket s, String target) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head to " + target + ": " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int status = Integer.parseInt(h.substring(9, 12));
        Matcher len = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)").matcher(h);
        assertThat(len.find()).as(h).isTrue();
        byte[] body = in.readNBytes(Integer.parseInt(len.group(1)));
        JsonNode json = Aiscope.JSON.readTree(body);
        return new Exchange(target, status, target.startsWith("/work") ? json : null, null);
    }

    /** CUDA events that started in the request's window: on {@code tid}, or on any thread when it is 0. */
    private static List<JsonNode> inWindow(List<JsonNode> cuda, JsonNode request, int tid) {
        return cuda.stream().filter(e -> within(e, request) && (tid == 0 || e.get("tid").asInt() == tid)).toList();
    }

    private static boolean within(JsonNode cudaEvent, JsonNode request) {
        long ts = cudaEvent.get("ts_ns").asLong();
        return ts >= request.get("start_ns").asLong() && ts <= request.get("end_ns").asLong();
    }

    private static TreeSet<Integer> ints(JsonNode array) {
        TreeSet<Integer> set = new TreeSet<>();
        array.forEach(n -> set.add(n.asInt()));
        return set;
    }
}
