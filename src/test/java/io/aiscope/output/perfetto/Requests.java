package io.aiscope.output.perfetto;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.LlmCall;
import io.aiscope.probe.http.ThreadClock;

import java.util.stream.IntStream;

/** Synthetic finished requests for tests, built up from a server request's defaults. */
final class Requests {
    private HttpExchange.Role role = HttpExchange.Role.SERVER;
    private int pid = 100;
    private String method = "POST";
    private String path = "/v1/chat/completions";
    private int status = 200;
    private long start, requestEnd, responseStart, firstBody, end;
    private long[] tokens = new long[0];
    private boolean streaming;
    private LlmCall llm;
    private HttpExchange.Outcome outcome = HttpExchange.Outcome.COMPLETE;
    private int startTid = 100, endTid = 100;

    /** A request on thread {@code tid} of {@code pid} over [start, end] with its moments in between. */
    static Requests at(int pid, int tid, long start, long requestEnd, long responseStart, long end) {
        Requests r = new Requests();
        r.pid = pid;
        r.startTid = tid;
        r.endTid = tid;
        r.start = start;
        r.requestEnd = requestEnd;
        r.responseStart = responseStart;
        r.end = end;
        return r;
    }

    Requests streamed(long firstBody, long... tokens) {
        this.streaming = true;
        this.firstBody = firstBody;
        this.tokens = tokens;
        this.llm = new LlmCall("openai", "chat", "tiny-llm", true, 64, "tiny-llm", 12, tokens.length, false,
                tokens.length, tokens.length > 0 ? tokens[0] : 0, null, null, null);
        return this;
    }

    Requests endTid(int tid) {
        this.endTid = tid;
        return this;
    }

    Requests get(String path) {
        this.method = "GET";
        this.path = path;
        this.llm = null;
        return this;
    }

    Requests client() {
        this.role = HttpExchange.Role.CLIENT;
        return this;
    }

    Requests aborted() {
        this.outcome = HttpExchange.Outcome.ABORTED;
        this.status = 0;
        return this;
    }

    HttpExchange exchange() {
        int[] tids = startTid == endTid ? new int[] {startTid}
                : IntStream.of(Math.min(startTid, endTid), Math.max(startTid, endTid)).toArray();
        return new HttpExchange(role, pid, 0xffff8880_1234_5678L, method, "llm", path, path, status, 512, 4096,
                start, requestEnd, responseStart, firstBody, end, tokens, streaming, llm, outcome, startTid, endTid, tids,
                ThreadClock.NONE, ThreadClock.NONE);
    }

    TracedRequest id(long id) {
        Decomposition d = new Decomposition(startTid == endTid ? Decomposition.Attribution.THREAD
                : Decomposition.Attribution.PROCESS_WINDOW, 1_500_000, startTid == endTid ? 3_000_000 : -1,
                startTid == endTid ? 500_000 : -1, 7, 3, 1 << 20, 250_000, 1);
        return new TracedRequest(id, exchange(), 8000, 41000, false, d);
    }
}
