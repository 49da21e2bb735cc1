package io.aiscope.probe.http;

import io.aiscope.correlate.Decomposition;
import io.aiscope.correlate.TracedRequest;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** One request as named fields: a trace event's, a report's "slowest" entry, the live view's. */
public final class RequestFields {
    private RequestFields() {}

    public static Map<String, Object> of(TracedRequest r) {
        HttpExchange x = r.exchange();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("id", r.id());
        f.put("role", x.role().name().toLowerCase(java.util.Locale.ROOT));
        f.put("method", x.method());
        putIfSet(f, "host", x.host());
        f.put("path", x.path());
        f.put("route", x.route());
        f.put("status", x.status());
        f.put("local_port", r.localPort());
        f.put("remote_port", r.remotePort());
        f.put("tls", r.tls());
        f.put("outcome", x.outcome().name().toLowerCase(java.util.Locale.ROOT));
        f.put("start_ns", x.startNs());
        f.put("end_ns", x.endNs());
        f.put("latency_ms", ms(x.durationNs()));
        if (x.streaming()) {
            if (x.ttftNs() >= 0) {
                f.put("ttft_ms", ms(x.ttftNs()));
            }
            f.put("streamed_events", x.tokenNs().length);
            long perToken = Tokens.timePerOutputTokenNs(x);
            if (perToken >= 0) {
                f.put("time_per_output_token_ms", ms(perToken));
            }
        }
        f.put("request_bytes", x.requestBytes());
        f.put("response_bytes", x.responseBytes());
        if (x.llm() != null) {
            f.put("openai", llm(x.llm(), Tokens.outputTokens(x)));
        }
        f.put("threads", Arrays.stream(x.tids()).boxed().toList());
        f.put("decomposition", decomposition(r.decomposition()));
        return f;
    }

    private static Map<String, Object> llm(LlmCall ai, long outputTokens) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("api", ai.api());
        m.put("operation", ai.operation());
        putIfSet(m, "model", ai.model());
        putIfSet(m, "stream", ai.stream());
        putIfSet(m, "max_tokens", ai.maxTokens());
        putIfSet(m, "prompt_tokens", ai.inputTokens());
        m.put("output_tokens", outputTokens);
        putIfSet(m, "error_type", ai.errorType());
        return m;
    }

    private static Map<String, Object> decomposition(Decomposition d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attribution", d.attribution().label());
        m.put("runq_ms", ms(d.runQueueNs()));
        if (d.onCpuNs() >= 0) {
            m.put("on_cpu_ms", ms(d.onCpuNs()));
            m.put("off_cpu_ms", ms(d.offCpuNs()));
        }
        m.put("cuda_calls", d.cudaCalls());
        m.put("cuda_launches", d.cudaLaunches());
        m.put("cuda_copy_bytes", d.cudaCopyBytes());
        m.put("cuda_sync_ms", ms(d.cudaSyncNs()));
        m.put("retransmits", d.retransmits());
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** Nanoseconds as milliseconds to the microsecond, as every report figure is given. */
    public static double ms(long ns) {
        return Math.round(ns / 1e3) / 1e3;
    }
}
