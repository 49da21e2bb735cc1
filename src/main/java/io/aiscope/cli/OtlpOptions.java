package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.output.otlp.OtlpEndpoint;
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
}
