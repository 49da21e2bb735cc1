package io.aiscope.output.perfetto;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.TraceEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Tag("unit")
class ChromeTraceRecorderTest {
    private static final long T0 = 5_000_000_000L; // the recording's origin on CLOCK_MONOTONIC
    private static final int PID = 100;

    @TempDir
    Path dir;

    private Path proc() throws IOException {
        // A /proc of our own: thread 101 has a name, the others have exited.
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve(PID + "/task/101"));
        Files.writeString(proc.resolve(PID + "/task/101/comm"), "gpu-worker\n");
        return proc;
    }

    private ChromeTraceRecorder recorder(Path file) throws IOException {
        ThreadNames names = new ThreadNames(pid -> pid == PID ? "server" : "?", proc());
        return new ChromeTraceRecorder(file, Files.newOutputStream(file), T0, names, 1024);
    }

    private static TraceEvent cuda(String fn, int tid, long start, long durationNs, Object... more) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("function", fn);
        f.put("ret", 0);
        f.put("duration_us", durationNs / 1000.0);
        for (int i = 0; i < more.length; i += 2) {
            f.put((String) more[i], more[i + 1]);
        }
        return new TraceEvent("cuda", fn, start, PID, tid, f);
    }

    private static long us(long micros) {
        return T0 + micros * 1000;
    }

    private static JsonNode only(List<JsonNode> events) {
        assertThat(events).hasSize(1);
        return events.getFirst();
    }

    @Test
    void aSessionOfEventsAndRequestsBecomesAValidNestedTimeline() throws IOException {
        Path file = dir.resolve("trace.json");
        ChromeTraceRecorder.Summary summary;
        try (ChromeTraceRecorder r = recorder(file)) {
            // Process events, instants on the main thread.
            r.onEvent(new TraceEvent("proc", "exec", us(1), PID, PID, Map.of("comm", "server", "filename", "/srv")));
            // CUDA on thread 101: the driver call inside a runtime call arrives first, as it ends first.
            r.onEvent(cuda("cuMemAlloc_v2", 101, us(1_010), 5_000, "inside_runtime", true));
            r.onEvent(cuda("cudaMalloc", 101, us(1_000), 20_000, "bytes", 4096L, "ptr", "0x7f00"));
            r.onEvent(cuda("cudaMemcpy", 101, us(1_030), 2_500, "bytes", 1024L, "direction", "HtoD"));
            // A run-queue wait, and a retransmit (instant).
            r.onEvent(new TraceEvent("sched", "runq_wait", us(1_100), PID, 101, Map.of("duration_us", 12.5)));
            r.onEvent(new TraceEvent("tcp", "retransmit", us(1_200), PID, PID, Map.of("segments", 1, "rport", 443)));
            // A streamed request, all on thread 100: receive, process (with a CUDA call inside), first token, stream.
            r.onEvent(cuda("cudaLaunchKernel", PID, us(2_300), 1_000, "kernel", "vector_add"));
            r.onRequest(Requests.at(PID, PID, us(2_000), us(2_100), us(2_500), us(3_000))
                    .streamed(us(2_600), us(2_600), us(2_800), us(3_000)).id(1));
            // Handed off: read on thread 100, answered from pool thread 102.
            r.onRequest(Requests.at(PID, PID, us(4_000), us(4_050), us(4_500), us(4_700)).endTid(102)
                    .get("/health").id(2));
            // Pipelined on one connection: request 4 starts before request 3 ends on the same thread.
            r.onRequest(Requests.at(PID, 103, us(5_000), us(5_100), us(5_500), us(6_000)).get("/a").id(3));
            r.onRequest(Requests.at(PID, 103, us(5_200), us(5_300), us(5_800), us(6_500)).get("/b").id(4));
            // A CUDA call on thread 100 that straddles request 1's phases (clock skew): no nesting possible.
            r.onEvent(cuda("cudaMalloc", PID, us(2_050), 100_000));
            // An aborted request: no response at all.
            r.onRequest(Requests.at(PID, PID, us(7_000), us(7_100), 0, us(7_200)).get("/slow").aborted().id(5));
            summary = r.finish(Map.of("command", "aiscope record -o trace.json -- ./server"), 3);
        }
        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file);

        assertThat(summary.events()).isEqualTo(8);
        assertThat(summary.requests()).isEqualTo(5);
        assertThat(summary.unnested()).isEqualTo(2); // request 4 and the straddling cudaMalloc
        assertThat(summary.traceEvents()).isEqualTo(trace.events().size());

        // Names: the process, a thread read from /proc, and threads whose names are gone (their process's name).
        assertThat(trace.processNames()).containsEntry(PID, "server");
        assertThat(trace.threadNames()).containsEntry(101, "gpu-worker").containsEntry(PID, "server")
                .containsEntry(102, "server").containsEntry(103, "server");

        // CUDA calls: complete slices on their thread, the driver call inside the runtime call; fields are args.
        List<JsonNode> cuda = trace.slices("cuda");
        assertThat(cuda).hasSize(5);
        JsonNode malloc = cuda.stream().filter(e -> e.get("tid").asInt() == 101
                && e.get("name").asText().equals("cudaMalloc")).findFirst().orElseThrow();
        assertThat(malloc.get("ph").asText()).isEqualTo("X");
        assertThat(ChromeTraceChecker.nanos(malloc.get("ts"))).isEqualTo(1_000_000);
        assertThat(ChromeTraceChecker.nanos(malloc.get("dur"))).isEqualTo(20_000);
        assertThat(malloc.get("args").get("bytes").asLong()).isEqualTo(4096);
        assertThat(malloc.get("args").get("ptr").asText()).isEqualTo("0x7f00");
        JsonNode straddling = only(trace.events(e -> e.get("ph").asText().equals("b")
                && e.path("cat").asText().equals("cuda")));
        assertThat(straddling.get("name").asText()).isEqualTo("cudaMalloc");
        assertThat(straddling.get("tid").asInt()).isEqualTo(PID);

        JsonNode wait = only(trace.events(e -> e.get("name").asText().equals("runq_wait")));
        assertThat(wait.get("ph").asText()).isEqualTo("X");
        assertThat(ChromeTraceChecker.nanos(wait.get("dur"))).isEqualTo(12_500);
        JsonNode retransmit = only(trace.events(e -> e.get("name").asText().equals("retransmit")));
        assertThat(retransmit.get("ph").asText()).isEqualTo("i");
        assertThat(retransmit.get("s").asText()).isEqualTo("t");
        assertThat(retransmit.get("cat").asText()).isEqualTo("tcp");
        assertThat(only(trace.events(e -> e.get("name").asText().equals("exec"))).get("args").get("filename").asText())
                .isEqualTo("/srv");

        // Request 1: the slice, its args, its four phases nested inside, its tokens.
        JsonNode chat = only(trace.events(e -> e.get("name").asText().equals("POST /v1/chat/completions")));
        assertThat(chat.get("ph").asText()).isEqualTo("X");
        assertThat(chat.get("tid").asInt()).isEqualTo(PID);
        assertThat(ChromeTraceChecker.nanos(chat.get("dur"))).isEqualTo(1_000_000);
        JsonNode args = chat.get("args");
        assertThat(args.get("request_id").asLong()).isEqualTo(1);
        assertThat(args.get("status").asInt()).isEqualTo(200);
        assertThat(args.get("outcome").asText()).isEqualTo("complete");
        assertThat(args.get("ttft_ms").asDouble()).isEqualTo(0.6);
        assertThat(args.get("tokens").asInt()).isEqualTo(3);
        assertThat(args.get("llm").get("model").asText()).isEqualTo("tiny-llm");
        assertThat(args.get("attribution").asText()).isEqualTo("thread");
        assertThat(args.get("runq_ms").asDouble()).isEqualTo(1.5);
        assertThat(args.get("cuda_launches").asLong()).isEqualTo(3);
        assertThat(phases(trace, PID, us(2_000), us(3_000))).containsExactly(
                "receive 2000-2100", "process 2100-2500", "first token 2500-2600", "stream 2600-3000");
        assertThat(trace.events(e -> e.get("name").asText().equals("token"))).hasSize(3)
                .allSatisfy(t -> assertThat(t.get("ph").asText()).isEqualTo("i"));

        // Request 2: handed off, so a flow arrow from the request to a marker on the pool thread.
        JsonNode health = only(trace.events(e -> e.get("name").asText().equals("GET /health")));
        assertThat(health.get("flow_out").asBoolean()).isTrue();
        JsonNode sent = only(trace.events(e -> e.get("name").asText().equals("response sent")));
        assertThat(sent.get("tid").asInt()).isEqualTo(102);
        assertThat(sent.get("flow_in").asBoolean()).isTrue();
        assertThat(sent.get("bind_id").asLong()).isEqualTo(health.get("bind_id").asLong()).isEqualTo(2);
        assertThat(ChromeTraceChecker.nanos(sent.get("ts"))).isEqualTo(4_700_000);
        assertThat(phases(trace, PID, us(4_000), us(4_700))).containsExactly(
                "receive 4000-4050", "process 4050-4500", "send 4500-4700");

        // Requests 3 and 4 overlap on thread 103: the first stays on the thread, the second gets an async track.
        assertThat(only(trace.events(e -> e.get("name").asText().equals("GET /a"))).get("ph").asText()).isEqualTo("X");
        List<JsonNode> b = trace.events(e -> e.path("cat").asText().equals("http") && e.path("id").asText().equals("4"));
        assertThat(b).extracting(e -> e.get("ph").asText() + " " + e.get("name").asText()).containsExactly(
                "b GET /b", "b receive", "e receive", "b process", "e process", "b send", "e send", "e GET /b");

        // Request 5: aborted before any response: receive, then process until the end.
        assertThat(phases(trace, PID, us(7_000), us(7_200))).containsExactly("receive 7000-7100", "process 7100-7200");

        JsonNode other = trace.otherData();
        assertThat(other.get("command").asText()).isEqualTo("aiscope record -o trace.json -- ./server");
        assertThat(other.get("dropped_events").asLong()).isEqualTo(3);
        assertThat(other.get("dropped_in_kernel").asLong()).isEqualTo(3);
        assertThat(other.get("dropped_in_queue").asLong()).isZero();
        assertThat(other.get("events").asLong()).isEqualTo(8);
        assertThat(other.get("requests").asLong()).isEqualTo(5);
        assertThat(other.get("unnested_slices").asLong()).isEqualTo(2);
        assertThat(other.get("clock").asText()).isEqualTo("CLOCK_MONOTONIC");
        assertThat(other.get("clock_origin_ns").asLong()).isEqualTo(T0);
        assertThat(trace.root().get("displayTimeUnit").asText()).isEqualTo("ms");
        assertThat(Files.readString(file).lines().count()).as("one event per line").isGreaterThan(trace.events().size());
    }

    /** The complete http slices on a thread inside [start, end], as "name startUs-endUs". */
    private static List<String> phases(ChromeTraceChecker.Trace trace, int tid, long start, long end) {
        return trace.events(e -> e.get("ph").asText().equals("X") && e.path("cat").asText().equals("http")
                        && e.get("tid").asInt() == tid && !e.get("name").asText().contains("/"))
                .stream()
                .filter(e -> ChromeTraceChecker.nanos(e.get("ts")) + T0 >= start
                        && ChromeTraceChecker.nanos(e.get("ts")) + T0 < end)
                .map(e -> {
                    long s = ChromeTraceChecker.nanos(e.get("ts")) / 1000;
                    return e.get("name").asText() + " " + s + "-" + (s + ChromeTraceChecker.nanos(e.get("dur")) / 1000);
                })
                .toList();
    }

    @Test
    void anEventLoopsConcurrentRequestsAllNestOrGoAsync() throws IOException {
        // Many overlapping requests on one thread, arriving in order of their end: every one is kept, none crosses.
        Path file = dir.resolve("loop.json");
        try (ChromeTraceRecorder r = recorder(file)) {
            for (int i = 0; i < 200; i++) {
                long start = us(10_000 + i * 10L);
                r.onRequest(Requests.at(PID, 104, start, start + 3_000, start + 40_000, start + 50_000 + (i % 7) * 1000)
                        .streamed(start + 45_000, start + 45_000, start + 47_000).id(100 + i));
                r.onEvent(cuda("cudaLaunchKernel", 104, start + 41_000, 500));
            }
            r.finish(Map.of(), 0);
        }
        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file);
        assertThat(trace.slices("http").stream().filter(e -> e.get("name").asText().equals("POST /v1/chat/completions")))
                .hasSize(200);
        assertThat(trace.slices("cuda")).hasSize(200);
    }

    @Test
    void theEventThreadNeverWaitsAndDropsAreCounted() throws Exception {
        CountDownLatch writing = new CountDownLatch(1), release = new CountDownLatch(1);
        Path file = dir.resolve("slow.json");
        OutputStream slow = new OutputStream() {
            private final OutputStream file0 = Files.newOutputStream(file);

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                file0.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                file0.close();
            }
        };
        ChromeTraceRecorder r = new ChromeTraceRecorder(file, slow, T0, new ThreadNames(pid -> "w", proc()), 4);
        r.onEvent(cuda("cudaMalloc", 101, us(1), 1000));
        assertThat(writing.await(5, TimeUnit.SECONDS)).isTrue(); // the writer flushes event 0 and is stuck there
        long started = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            r.onEvent(cuda("cudaMalloc", 101, us(10L * i), 1000));
        }
        r.onRequest(Requests.at(PID, 101, us(20_000), us(20_001), us(20_002), us(20_003)).id(1));
        assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(1));
        release.countDown();
        ChromeTraceRecorder.Summary s = r.finish(Map.of(), 0);
        assertThat(s.events()).isEqualTo(5);
        assertThat(s.droppedEvents()).isEqualTo(996);
        assertThat(s.droppedRequests()).isEqualTo(1);
        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file);
        assertThat(trace.slices("cuda")).hasSize(5);
        assertThat(trace.otherData().get("dropped_in_queue").asLong()).isEqualTo(996);
        assertThat(trace.otherData().get("dropped_requests").asLong()).isEqualTo(1);
        assertThat(trace.otherData().get("dropped_events").asLong()).isEqualTo(996);
    }

    @Test
    void aFileThatCannotBeWrittenIsOneClearError() throws IOException {
        Path nowhere = dir.resolve("no-such-dir/trace.json");
        assertThatThrownBy(() -> ChromeTraceRecorder.open(nowhere, T0, pid -> "?", 16))
                .isInstanceOf(AiscopeException.class)
                .hasMessage("cannot write " + nowhere + ": no such directory");
        assertThatThrownBy(() -> ChromeTraceRecorder.open(dir, T0, pid -> "?", 16))
                .isInstanceOf(AiscopeException.class)
                .hasMessage("cannot write " + dir + ": Is a directory");

        Path full = dir.resolve("full.json");
        OutputStream diskFull = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ChromeTraceRecorder r = new ChromeTraceRecorder(full, diskFull, T0, new ThreadNames(pid -> "w", proc()), 16);
        for (int i = 0; i < 10_000; i++) {
            r.onEvent(cuda("cudaMalloc", 101, us(10L * i), 1000));
        }
        assertThatThrownBy(() -> r.finish(Map.of(), 0)).isInstanceOf(AiscopeException.class)
                .hasMessage("cannot write " + full + ": No space left on device");
    }

    @Test
    void closingUnfinishedKeepsWhatWasRecordedReadableAndRemovesAnEmptyFile() throws Exception {
        Path some = dir.resolve("some.json");
        try (ChromeTraceRecorder r = recorder(some)) {
            r.onEvent(cuda("cudaFree", 101, us(5), 100));
            // an error path: close without finish
        }
        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(some);
        assertThat(trace.slices("cuda")).hasSize(1);
        assertThat(trace.otherData().get("complete").asBoolean()).isFalse();

        Path none = dir.resolve("none.json");
        ChromeTraceRecorder.open(none, T0, pid -> "?", 16).close();
        assertThat(none).doesNotExist();
    }
}
