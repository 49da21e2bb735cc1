package io.aiscope.output.otlp;

import io.aiscope.correlate.TracedRequest;
import io.aiscope.probe.http.HttpExchange;
import io.aiscope.probe.http.RequestPhase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

/**
 * One trace per request: the request span (SERVER or CLIENT, as the traced process played it) with a child per
 * phase, and a "token" event per streamed event. Times are the kernel's, moved to the epoch by one offset.
 */
final class RequestSpans {
    /** Token events kept per span; a long stream's rest is counted in aiscope.token.events_omitted. */
    static final int MAX_TOKEN_EVENTS = 1000;
    static final String TOKEN_EVENT = "token";
    static final AttributeKey<Long> TOKEN_INDEX = AttributeKey.longKey("aiscope.token.index");

    private final EpochClock clock;

    RequestSpans(EpochClock clock) {
        this.clock = clock;
    }

    void emit(Tracer tracer, TracedRequest request) {
        HttpExchange x = request.exchange();
        Span span = tracer.spanBuilder(RequestAttributes.spanName(x))
                .setNoParent()
                .setSpanKind(x.role() == HttpExchange.Role.SERVER ? SpanKind.SERVER : SpanKind.CLIENT)
                .setStartTimestamp(clock.epochNanos(x.startNs()), NANOSECONDS)
                .setAllAttributes(RequestAttributes.of(request))
                .startSpan();
        status(span, x);
        int events = Math.min(x.tokenNs().length, MAX_TOKEN_EVENTS);
        for (int i = 0; i < events; i++) {
            span.addEvent(TOKEN_EVENT, Attributes.of(TOKEN_INDEX, (long) i), clock.epochNanos(x.tokenNs()[i]),
                    NANOSECONDS);
        }
        Context parent = Context.root().with(span);
        for (RequestPhase phase : RequestPhase.of(x)) {
            tracer.spanBuilder(phase.name())
                    .setParent(parent)
                    .setSpanKind(SpanKind.INTERNAL)
                    .setStartTimestamp(clock.epochNanos(phase.startNs()), NANOSECONDS)
                    .startSpan()
                    .end(clock.epochNanos(phase.endNs()), NANOSECONDS);
        }
        span.end(clock.epochNanos(RequestPhase.endNs(x)), NANOSECONDS);
    }

    /** ERROR for a failed status (5xx served, 4xx or 5xx received) or a response cut short; unset otherwise. */
    private static void status(Span span, HttpExchange x) {
        if (RequestAttributes.errorType(x) == null) {
            return;
        }
        // The status code speaks for itself; a cut-short response gets a word on how.
        switch (x.outcome()) {
            case COMPLETE -> span.setStatus(StatusCode.ERROR);
            case ABORTED -> span.setStatus(StatusCode.ERROR, "the peer went away before the response was complete");
            case CLOSED -> span.setStatus(StatusCode.ERROR, "closed before the response was complete");
        }
    }
}
