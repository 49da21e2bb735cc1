package io.aiscope.output.perfetto;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.LlmCall;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** What a request's slice shows when selected: the exchange, its LLM API call, and where its time went. */
final class RequestArgs {
    private RequestArgs() {}

    /** "POST /v1/chat/completions": the method and the route (bounded in number, unlike paths). */
    static String name(HttpExchange x) {
        String route = x.route() != null && !x.route().isEmpty() ? x.route() : x.path();
        return (x.method() == null ? "?" : x.method()) + " " + (route == null ? "?" : route);
    }

    static Map<String, Object> of(TracedRequest r) {
        HttpExchange x = r.exchange();
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("request_id", r.id());
        a.put("role", x.role().name().toLowerCase(Locale.ROOT));
        a.put("tls", r.tls());
        if (x.host() != null) {
            a.put("host", x.host());
        }
        a.put("method", x.method());
        a.put("path", x.path());
        a.put("route", x.route());
        a.put("status", x.status());
        a.put("outcome", x.outcome().name().toLowerCase(Locale.ROOT));
        a.put("request_bytes", x.requestBytes());
        a.put("response_bytes", x.responseBytes());
        a.put("duration_ms", x.durationNs() / 1e6);
        if (x.ttftNs() >= 0) {
            a.put("ttft_ms", x.ttftNs() / 1e6);
        }
        a.put("streaming", x.streaming());
        a.put("tokens", x.tokenNs() == null ? 0 : x.tokenNs().length);
        a.put("start_tid", x.startTid());
        a.put("end_tid", x.endTid());
        if (x.tids() != null) {
            // Text, not an array: a list reads better in the viewer's details panel.
            a.put("tids", Arrays.stream(x.tids()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        }
        a.put("socket", String.format("0x%x", x.sock()));
        if (x.llm() != null) {
            a.put("llm", llm(x.llm()));
        }
        if (r.decomposition() != null) {
            decomposition(a, r.decomposition());
        }
        return a;
    }

    private static Map<String, Object> llm(LlmCall c) {
        Map<String, Object> o = new LinkedHashMap<>();
        putIfKnown(o, "api", c.api());
        putIfKnown(o, "operation", c.operation());
        putIfKnown(o, "model", c.model());
        putIfKnown(o, "stream", c.stream());
        putIfKnown(o, "max_tokens", c.maxTokens());
        putIfKnown(o, "prompt_tokens", c.inputTokens());
        putIfKnown(o, "completion_tokens", c.outputTokensCounted() ? null : c.outputTokens());
        putIfKnown(o, "error_type", c.errorType());
        return o;
    }

    private static void decomposition(Map<String, Object> a, Decomposition d) {
        a.put("attribution", d.attribution().label());
        a.put("runq_ms", d.runQueueNs() / 1e6);
        if (d.onCpuNs() >= 0) {
            a.put("on_cpu_ms", d.onCpuNs() / 1e6);
        }
        if (d.offCpuNs() >= 0) {
            a.put("off_cpu_ms", d.offCpuNs() / 1e6);
        }
        a.put("cuda_calls", d.cudaCalls());
        a.put("cuda_launches", d.cudaLaunches());
        a.put("cuda_copy_bytes", d.cudaCopyBytes());
        a.put("cuda_sync_ms", d.cudaSyncNs() / 1e6);
        a.put("retransmits", d.retransmits());
    }

    private static void putIfKnown(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
