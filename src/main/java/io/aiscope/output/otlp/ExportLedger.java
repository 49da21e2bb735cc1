package io.aiscope.output.otlp;

import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every span from the moment it ends to its export's result. The SDK's batch processor drops spans on a
 * full queue without saying so; this ledger admits a span only while fewer than {@code capacity} are waiting for
 * the exporter (the processor's own queue size), so the processor never drops and every refusal is counted here.
 */
final class ExportLedger {
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    ExportLedger(int capacity) {
        this.capacity = capacity;
    }

    OtlpExportStats stats(String lastError) {
        // Later stages first: a span moving on meanwhile is then never counted twice, nor pending() negative.
        long done = exported.get();
        long lost = failed.get();
        long refused = dropped.get();
        return new OtlpExportStats(spans.get(), done, lost, refused, lastError);
    }

    /** Puts the gate in front of {@code processor}: it sees only the spans admitted. */
    SpanProcessor admitting(SpanProcessor processor) {
        return new Gate(processor);
    }

    /** Wraps {@code exporter} so that the spans it is handed, and its results, are counted. */
    SpanExporter counting(SpanExporter exporter) {
        return new Counter(exporter);
    }

    private boolean admit() {
        spans.incrementAndGet();
        if (closed) {
            dropped.incrementAndGet();
            return false;
        }
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    private final class Gate implements SpanProcessor {
        private final SpanProcessor next;

        Gate(SpanProcessor next) {
            this.next = next;
        }

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            if (admit()) {
                next.onEnd(span);
            }
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        @Override
        public CompletableResultCode shutdown() {
            closed = true;
            return next.shutdown();
        }

        @Override
        public CompletableResultCode forceFlush() {
            return next.forceFlush();
        }
    }

    private final class Counter implements SpanExporter {
        private final SpanExporter next;

        Counter(SpanExporter next) {
            this.next = next;
        }

        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            int n = batch.size();
            waiting.addAndGet(-n);
            CompletableResultCode result = next.export(batch);
            result.whenComplete(() -> (result.isSuccess() ? exported : failed).addAndGet(n));
            return result;
        }

        @Override
        public CompletableResultCode flush() {
            return next.flush();
        }

        @Override
        public CompletableResultCode shutdown() {
            return next.shutdown();
        }
    }
}
