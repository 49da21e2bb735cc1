package io.aiscope.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;

/** The readable form of a {@link RunReport}: the headline figures of each family, then aiscope's own health. */
public final class TextReport {
    private final PrintStream out;

    public TextReport(PrintStream out) {
        this.out = out;
    }

    public void print(JsonNode r) {
        out.println();
        out.printf("aiscope report — %s (%.0f ms)%s%n", r.has("command") ? join(r.get("command")) : "trace",
                r.path("duration_ms").asDouble(), r.has("exit_code") ? ", exit code " + r.get("exit_code").asInt() : "");
        unavailable(r);
        if (r.path("proc").has("execs")) {
            proc(r.get("proc"));
        }
        if (r.path("cuda").has("calls")) {
            cuda(r.get("cuda"));
        }
        if (r.path("sched").has("runqueue_latency_us")) {
            sched(r.get("sched"));
        }
        if (r.path("tcp").has("retransmits")) {
            tcp(r.get("tcp"));
        }
        if (r.path("http").has("requests")) {
            requests("http", r.get("http"));
        }
        if (r.path("tls").has("requests")) {
            tls(r.get("tls"));
        }
        if (r.path("llm").has("calls")) {
            llm(r.get("llm"));
        }
        agent(r.get("agent"));
    }

    /** Calls shown with what followed them; the JSON report has them all. */
    private static final int LLM_CALLS_SHOWN = 20;

    private void llm(JsonNode l) {
        out.printf("%n[llm] %d calls, %d errors%s, %d input / %d output tokens%n", l.get("calls_total").asLong(),
                l.get("errors").asLong(), l.get("errors_by_status").isEmpty() ? "" : " " + l.get("errors_by_status"),
                l.get("input_tokens").asLong(), l.get("output_tokens").asLong());
        for (JsonNode m : l.get("models")) {
            JsonNode t = m.path("ttft_ms");
            out.printf("  %s %s: %d calls, %d errors, latency p50 %.1f ms p99 %.1f ms%s, tokens %d in / %d out%n",
                    m.get("provider").asText(), m.get("model").asText(), m.get("count").asLong(), m.get("errors").asLong(),
                    m.at("/latency_ms/p50").asDouble(), m.at("/latency_ms/p99").asDouble(),
                    t.isMissingNode() ? "" : String.format(", first token p50 %.1f ms", t.get("p50").asDouble()),
                    m.get("input_tokens").asLong(), m.get("output_tokens").asLong());
        }
        java.util.List<JsonNode> calls = new java.util.ArrayList<>();
        l.get("calls").forEach(calls::add);
        if (calls.isEmpty()) {
            return;
        }
        out.printf("  calls and what followed each (within %.0f s)%s:%n", l.get("effects_window_ms").asDouble() / 1000,
                calls.size() > LLM_CALLS_SHOWN ? ", the last " + LLM_CALLS_SHOWN : "");
        out.print(io.aiscope.output.AgentChains.render(calls.subList(Math.max(0, calls.size() - LLM_CALLS_SHOWN), calls.size())));
    }

    private void unavailable(JsonNode r) {
        for (Iterator<Map.Entry<String, JsonNode>> it = r.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().path("available").asBoolean(true) == false) {
                out.printf("%n[%s] unavailable: %s%n", e.getKey(), e.getValue().path("reason").asText());
            }
        }
    }

    private void proc(JsonNode p) {
        JsonNode f = p.get("files");
        long connects = 0, refused = 0;
        for (JsonNode c : p.get("connects")) {
            connects += c.get("count").asLong();
            refused += c.get("result").asLong() < 0 ? c.get("count").asLong() : 0;
        }
        out.printf("%n[proc] %d processes, %d execs; %d file opens (%d failed), %d for writing to %d paths; %d connects"
                        + " (%d failed)%n", p.get("processes").size(), p.get("execs").size(), f.get("opens").asLong(),
                f.get("failed").asLong(), f.get("for_writing").asLong(), f.get("written").size(), connects, refused);
        long leftOut = p.get("processes_left_out").asLong() + p.get("execs_left_out").asLong()
                + f.get("written_opens_left_out").asLong() + p.get("connects_left_out").asLong();
        if (leftOut > 0) {
            out.printf("  left out of the report (bounded): %d processes, %d execs, %d opens for writing, %d connects%n",
                    p.get("processes_left_out").asLong(), p.get("execs_left_out").asLong(),
                    f.get("written_opens_left_out").asLong(), p.get("connects_left_out").asLong());
        }
    }

    private void cuda(JsonNode c) {
        out.printf("%n[cuda] CUDA runtime and driver API%n");
        out.printf("  %-24s %10s %8s %12s %12s %12s%n", "function", "calls", "errors", "p50 µs", "p99 µs", "total ms");
        for (Iterator<Map.Entry<String, JsonNode>> it = c.get("calls").fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode v = e.getValue();
            out.printf("  %-24s %10d %8d %12.1f %12.1f %12.2f%s%n", e.getKey(), v.get("count").asLong(),
                    v.get("errors").asLong(), v.path("latency_us").path("p50").asDouble(),
                    v.path("latency_us").path("p99").asDouble(), v.path("total_ms").asDouble(), codes(v));
        }
        out.printf("  device memory: %s allocated (%s asked), %s freed, %s outstanding%n",
                bytes(c.get("malloc_bytes")), bytes(c.get("malloc_requested_bytes")), bytes(c.get("free_bytes")),
                bytes(c.get("outstanding_bytes")));
        out.printf("  copies moved:  ");
        c.get("memcpy_bytes").fields().forEachRemaining(e -> out.printf("%s %s  ", e.getKey(), bytes(e.getValue())));
        out.printf("%n  copies asked:  ");
        c.get("memcpy_requested_bytes").fields().forEachRemaining(e -> out.printf("%s %s  ", e.getKey(), bytes(e.getValue())));
        out.printf("%n  kernel launches: %d; blocked in synchronisation: %.2f ms%n", c.get("kernel_launches").asLong(),
                c.get("sync_blocked_ms").asDouble());
        int shown = 0;
        for (JsonNode k : c.get("kernels")) {
            if (shown++ == 10) {
                out.printf("    … %d more kernels%n", c.get("kernels").size() - 10);
                break;
            }
            out.printf("    %8d  %s%s%n", k.get("launches").asLong(), k.get("symbol").asText(),
                    k.get("errors").asLong() > 0 ? "  (" + k.get("errors").asLong() + " failed)" : "");
        }
        for (JsonNode p : c.get("processes")) {
            if (p.get("leaks").size() > 0) {
                out.printf("  leak: pid %d (%s) holds %s in %d allocations never freed%n", p.get("pid").asInt(),
                        p.get("comm").asText(), bytes(p.get("outstanding_bytes")), p.get("leaks").size());
            }
        }
    }

    private static String codes(JsonNode call) {
        StringBuilder s = new StringBuilder();
        call.path("errors_by_code").fields().forEachRemaining(e -> s.append(s.isEmpty() ? "   codes " : ", ")
                .append(e.getKey()).append("×").append(e.getValue().asLong()));
        return s.toString();
    }

    private void sched(JsonNode s) {
        JsonNode q = s.get("runqueue_latency_us");
        out.printf("%n[sched] run-queue latency: %d waits, p50 %.0f µs, p99 %.0f µs, max %.0f µs; %d context switches,"
                        + " %.1f ms off-CPU%n", q.path("count").asLong(), q.path("p50").asDouble(), q.path("p99").asDouble(),
                q.path("max").asDouble(), s.path("context_switches").asLong(), s.path("off_cpu_ms").asDouble());
    }

    private void tcp(JsonNode t) {
        out.printf("%n[tcp] %d connections, %d retransmits%n", t.path("connections").size(), t.path("retransmits").asLong());
    }

    private void agent(JsonNode a) {
        out.printf("%n[agent] %d events, %d dropped, %d undecodable; probes attached in %.0f ms%n", a.get("events").asLong(),
                a.get("dropped").asLong(), a.get("undecodable").asLong(), a.get("attach_ms").asDouble());
        if (!a.path("reader_error").isNull()) {
            out.printf("  the event reader stopped early, later events are missing: %s%n", a.get("reader_error").asText());
        }
        for (JsonNode lib : a.get("libraries")) {
            int probed = lib.get("probed").size();
            out.printf("  probing %s in %s (%d function%s)%n", lib.get("kind").asText(), lib.get("path").asText(),
                    probed, probed == 1 ? "" : "s");
        }
        a.get("libraries_without_symbols").fields().forEachRemaining(e ->
                out.printf("  %s has no %s symbols: not probed%n", e.getKey(), e.getValue().asText()));
        a.get("unavailable").fields().forEachRemaining(e ->
                out.printf("  unavailable: %s: %s%n", e.getKey(), e.getValue().asText()));
        int n = a.get("warnings").size();
        if (n > 0) {
            out.printf("  %d warnings (see --json .agent.warnings), first: %s%n", n, a.get("warnings").get(0).asText());
        }
    }

    private void tls(JsonNode t) {
        requests("tls", t);
        JsonNode h = t.get("handshakes");
        out.printf("  %d TLS streams; %d handshakes%s, %d unfinished%n", t.get("streams").asLong(), h.get("count").asLong(),
                h.has("p50_ms") ? String.format(" (p50 %.2f ms, p99 %.2f ms)", h.get("p50_ms").asDouble(),
                        h.get("p99_ms").asDouble()) : "", h.get("unfinished").asLong());
        JsonNode unseen = t.get("unseen");
        if (unseen.isEmpty()) {
            return;
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < Math.min(unseen.size(), UNSEEN_SHOWN); i++) {
            JsonNode u = unseen.get(i);
            line.append(i == 0 ? "" : "; ").append(String.format("%s[%d] %s: %s", u.get("comm").asText(),
                    u.get("pid").asInt(), u.get("library").asText(), u.get("reason").asText()));
        }
        out.printf("  TLS not seen into: %s%s%n", line, unseen.size() > UNSEEN_SHOWN
                ? String.format("; %d more (see --json .tls.unseen)", unseen.size() - UNSEEN_SHOWN) : "");
    }

    /** Unseen TLS stacks named on the tls line; the JSON report has them all. */
    private static final int UNSEEN_SHOWN = 3;

    /** A requests section: http's, or tls's (the same figures, read from TLS plaintext). */
    private void requests(String family, JsonNode h) {
        long skipped = h.path("skipped_calls").asLong(); // http's alone: tls reads no connection it would skip
        out.printf("%n[%s] %d requests, %d errors (%d cut short), %d still in flight%s%n", family, h.get("requests").asLong(),
                h.get("errors").asLong(), h.get("aborted").asLong(), h.get("in_flight").asLong(),
                skipped > 0 ? String.format("; %d calls on non-HTTP connections skipped", skipped) : "");
        if (h.get("routes").isEmpty()) {
            return;
        }
        out.printf("  %-7s %-6s %-32s %7s %6s %9s %9s %9s %10s %10s%n", "role", "method", "route", "count", "errors",
                "p50 ms", "p95 ms", "p99 ms", "ttft p50", "ttft p99");
        for (JsonNode r : h.get("routes")) {
            JsonNode l = r.get("latency_ms"), t = r.path("ttft_ms");
            out.printf("  %-7s %-6s %-32s %7d %6d %9.2f %9.2f %9.2f %10s %10s%n", r.get("role").asText(),
                    r.get("method").asText(), r.get("route").asText(), r.get("count").asLong(), r.get("errors").asLong(),
                    l.get("p50").asDouble(), l.get("p95").asDouble(), l.get("p99").asDouble(),
                    t.isMissingNode() ? "-" : String.format("%.2f", t.get("p50").asDouble()),
                    t.isMissingNode() ? "-" : String.format("%.2f", t.get("p99").asDouble()));
        }
        JsonNode slowest = h.get("slowest");
        if (!slowest.isEmpty()) {
            JsonNode s = slowest.get(0), d = s.get("decomposition");
            out.printf("  slowest: %s %s %s (%s, pid %d) → %d in %.2f ms (%s): run queue %.2f ms%s, CUDA %d launches /"
                            + " %.2f ms sync, %d retransmits%n", s.get("role").asText(), s.get("method").asText(),
                    s.get("path").asText(), s.get("process").asText(), s.get("pid").asInt(), s.get("status").asInt(),
                    s.get("latency_ms").asDouble(), d.get("attribution").asText(), d.get("runq_ms").asDouble(),
                    d.has("off_cpu_ms") ? String.format(", on CPU %.2f ms, off CPU %.2f ms", d.get("on_cpu_ms").asDouble(),
                            d.get("off_cpu_ms").asDouble()) : "",
                    d.get("cuda_launches").asLong(), d.get("cuda_sync_ms").asDouble(), d.get("retransmits").asLong());
        }
    }

    private static String join(JsonNode array) {
        StringBuilder s = new StringBuilder();
        array.forEach(a -> s.append(s.isEmpty() ? "" : " ").append(a.asText()));
        return s.toString();
    }

    static String bytes(JsonNode n) {
        double b = n.asDouble();
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? String.format("%.0f B", b) : String.format("%.1f %s", b, units[u]);
    }
}
