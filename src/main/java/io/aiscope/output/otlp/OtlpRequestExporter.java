package io.aiscope.output.otlp;

import io.aiscope.correlate.TracedRequest;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends finished requests as OpenTelemetry traces over OTLP/HTTP (protobuf, gzip), through the JDK's HTTP
 * client. {@link #export} only builds spans and queues them, so it never waits on the network: a full queue
 * drops, and counts, instead. Export happens on the SDK's own daemon threads; {@link #stats()} says how it went.
 */
public final class OtlpRequestExporter implements AutoCloseable {
    /**
     * Rides out a collector restart of a second or so; longer, and holding spans back would only fill the queue.
     * The sender's retry loop may overrun the export timeout by one backoff, jittered up to 1.2 times.
     */
    private static final Duration RETRY_MAX_BACKOFF = Duration.ofSeconds(1);
    private static final RetryPolicy RETRY = RetryPolicy.builder().setMaxAttempts(3)
            .setInitialBackoff(Duration.ofMillis(250)).setMaxBackoff(RETRY_MAX_BACKOFF).setBackoffMultiplier(2).build();

    private final OtlpEndpoint endpoint;
    private final Settings settings;
    private final SdkWarnings warnings;
    private final ExportLedger ledger;
    private final SpanProcessor processor;
    private final ProcessTracers tracers;
    private final RequestSpans spans;

    /**
     * @param queueSize     spans that may wait for the exporter; more are dropped
     * @param batchSize     spans per export request
     * @param flushEvery    how long a span may wait for a full batch
     * @param exportTimeout one export request, retries (on 429/502/503/504 and I/O errors) included
     * @param closeTimeout  how long {@link #close()} waits for what is queued
     */
    record Settings(int queueSize, int batchSize, Duration flushEvery, Duration exportTimeout, Duration closeTimeout) {
        static final Settings DEFAULT =
                new Settings(4096, 512, Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5));
    }

    /**
     * @param serviceName service.name of every span; null: the traced process's name (what
     *                    {@link #export}'s {@code processName} says)
     */
    public OtlpRequestExporter(OtlpEndpoint endpoint, String serviceName) {
        this(endpoint, serviceName, EpochClock.sample(), Settings.DEFAULT);
    }

    OtlpRequestExporter(OtlpEndpoint endpoint, String serviceName, EpochClock clock, Settings settings) {
        this.endpoint = endpoint;
        this.settings = settings;
        this.ledger = new ExportLedger(settings.queueSize());
        SpanExporter otlp = new DeferredSpanExporter(() -> OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint.uri().toString())
                .setCompression("gzip")
                .setTimeout(settings.exportTimeout())
                .setConnectTimeout(settings.exportTimeout())
                .setRetryPolicy(RETRY)
                // Its own metrics would otherwise go to GlobalOpenTelemetry, which aiscope does not set up.
                .setMeterProvider(MeterProvider::noop)
                .build());
        this.processor = ledger.admitting(BatchSpanProcessor.builder(ledger.counting(otlp))
                .setMaxQueueSize(settings.queueSize())
                .setMaxExportBatchSize(settings.batchSize())
                .setScheduleDelay(settings.flushEvery())
                // Past the exporter's own time limit, so that the processor waits for each export's outcome.
                .setExporterTimeout(settings.exportTimeout().plus(RETRY_MAX_BACKOFF.multipliedBy(2)))
                .setMeterProvider(MeterProvider::noop)
                .build());
        this.tracers = new ProcessTracers(processor, serviceName);
        this.spans = new RequestSpans(clock);
        this.warnings = SdkWarnings.install();
    }

    /** Queues {@code request}'s spans; returns at once. {@code processName}: the traced process's name (comm). */
    public void export(TracedRequest request, String processName) {
        spans.emit(tracers.tracer(request.exchange().pid(), processName), request);
    }

    public OtlpExportStats stats() {
        return ledger.stats(warnings.last());
    }

    public OtlpEndpoint endpoint() {
        return endpoint;
    }

    /** Sends what is queued, waiting at most the close timeout; spans it gave up on stay counted as pending. */
    @Override
    public void close() {
        try {
            processor.shutdown().join(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            warnings.close();
        }
    }
}
