package io.aiscope.agents;

import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.LlmCall;

/**
 * An LLM API call a traced process made, as the outputs show it. Times are CLOCK_MONOTONIC nanoseconds at the
 * caller's socket (or TLS library) calls.
 *
 * @param ttftNs              request start to the first streamed event carrying generated content; -1 when not
 *                            streamed or none came
 * @param outputTokensCounted output tokens were counted from the stream (the response had no usage)
 * @param prompt              the prompt text, only with content capture on (else null)
 * @param completion          the completion text, only with content capture on (else null)
 */
public record ObservedCall(long id, int pid, int tid, String provider, String host, String api, String operation,
        String model, boolean streaming, int status, String errorType, String outcome, Integer inputTokens,
        Integer outputTokens, boolean outputTokensCounted, long startNs, long endNs, long ttftNs, boolean tls,
        int remotePort, String prompt, String completion) {

    public long latencyNs() {
        return endNs - startNs;
    }

    public boolean isError() {
        return status >= 400 || status == 0 || !"complete".equals(outcome);
    }

    /** The call in {@code request}, or null when it is not an LLM API call made by the traced process. */
    static ObservedCall of(TracedRequest request) {
        HttpExchange x = request.exchange();
        LlmCall c = x.llm();
        if (c == null || x.role() != HttpExchange.Role.CLIENT) {
            return null;
        }
        long ttftNs = c.firstContentNs() > 0 ? c.firstContentNs() - x.startNs() : -1;
        return new ObservedCall(request.id(), x.pid(), x.startTid(), Providers.of(x.host()), x.host(), c.api(),
                c.operation(), c.model() != null ? c.model() : c.responseModel(), x.streaming(), x.status(),
                c.errorType(), x.outcome().name().toLowerCase(java.util.Locale.ROOT), c.inputTokens(),
                c.outputTokens(), c.outputTokensCounted(), x.startNs(), x.endNs(), ttftNs, request.tls(),
                request.remotePort(), c.promptText(), c.completionText());
    }
}
