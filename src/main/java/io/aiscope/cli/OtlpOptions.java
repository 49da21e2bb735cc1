package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Session;
import io.aiscope.output.otlp.OtlpEndpoint;
import io.aiscope.output.otlp.OtlpExportStats;
import io.aiscope.output.otlp.OtlpRequestExporter;
import picocli.CommandLine.Option;

/** Whether, and where, finished HTTP requests go as OpenTelemetry traces. */
public final class OtlpOptions {
    @Option(names = "--otlp-endpoint", paramLabel = "URL",
            description = {"Send each finished HTTP request as an OpenTelemetry trace (OTLP/HTTP, protobuf) to URL:",
                    "a collector's base URL (http://127.0.0.1:4318: /v1/traces is appended) or a full traces URL"})
    private String endpoint;

    @Option(names = "--otlp-service-name", paramLabel = "NAME",
            description = "service.name of the exported traces (default: each traced process's name)")
    private String serviceName;

    /**
     * The exporter, or null without --otlp-endpoint. Checks the options first, so call it before loading probes:
     * a bad URL then fails at once.
     */
    public OtlpRequestExporter open() {
        if (endpoint == null) {
            if (serviceName != null) {
                throw new AiscopeException("--otlp-service-name needs --otlp-endpoint");
            }
            return null;
        }
        OtlpEndpoint url;
        try {
            url = OtlpEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new AiscopeException("bad --otlp-endpoint '" + endpoint + "': " + e.getMessage()
                    + "; expected e.g. http://127.0.0.1:4318");
        }
        if (serviceName != null && serviceName.isBlank()) {
            throw new AiscopeException("--otlp-service-name must not be empty");
        }
        return new OtlpRequestExporter(url, serviceName == null ? null : serviceName.strip());
    }

    /** Sends every request {@code session} finishes to {@code exporter}, when there is one. */
    static void exportFrom(Session session, OtlpRequestExporter exporter) {
        if (exporter != null) {
            session.onRequest(r -> exporter.export(r, session.names().comm(r.exchange().pid())));
        }
    }

    /** Flushes {@code exporter} and says on stderr how the export went: nothing is lost without a word. */
    static void finish(OtlpRequestExporter exporter) {
        if (exporter == null) {
            return;
        }
        exporter.close();
        OtlpExportStats s = exporter.stats();
        System.err.printf("aiscope: OTLP: %d spans to %s: %d exported, %d failed, %d dropped (queue full), %d unsent%s%n",
                s.spans(), exporter.endpoint(), s.exported(), s.failed(), s.dropped(), s.pending(),
                s.lastError() == null ? "" : "; last error: " + s.lastError());
    }
}
