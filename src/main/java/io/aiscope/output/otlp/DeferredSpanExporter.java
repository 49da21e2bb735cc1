package io.aiscope.output.otlp;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * Creates the real exporter when there is first something to send, on the batch processor's thread: creating
 * the JDK's HTTP client (and with it the default TLS context, even for http:// URLs) takes a few hundred
 * milliseconds that aiscope's start should not wait for, and a run that traces no request never pays them.
 */
final class DeferredSpanExporter implements SpanExporter {
    private final Supplier<SpanExporter> factory;
    private SpanExporter exporter;

    DeferredSpanExporter(Supplier<SpanExporter> factory) {
        this.factory = factory;
    }

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> spans) {
        if (exporter == null) {
            exporter = factory.get();
        }
        return exporter.export(spans);
    }

    @Override
    public synchronized CompletableResultCode flush() {
        return exporter == null ? CompletableResultCode.ofSuccess() : exporter.flush();
    }

    @Override
    public synchronized CompletableResultCode shutdown() {
        return exporter == null ? CompletableResultCode.ofSuccess() : exporter.shutdown();
    }
}
