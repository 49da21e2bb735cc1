package io.aiscope.output.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tracer per traced process. In OTLP the resource (service.name, process.pid) belongs to the tracer provider,
 * and each traced process is a service of its own; all providers feed one span processor, so there is one queue
 * and one connection however many processes there are. The cache is bounded, since a fork-heavy workload makes
 * processes without end: an evicted provider holds no thread or connection and is simply collected.
 */
final class ProcessTracers {
    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    static final AttributeKey<Long> PROCESS_PID = AttributeKey.longKey("process.pid");
    static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");
    static final String SCOPE = "aiscope";
    private static final int MAX_PROCESSES = 256;

    private final SpanProcessor processor;
    private final String serviceName;
    private final Resource host = host();
    private final Map<Process, Tracer> tracers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Process, Tracer> eldest) {
            return size() > MAX_PROCESSES;
        }
    };

    private record Process(int pid, String name) {
    }

    /** @param serviceName service.name of every span; null: each process's own name */
    ProcessTracers(SpanProcessor processor, String serviceName) {
        this.processor = processor;
        this.serviceName = serviceName;
        // A span through a provider without processors: loads the SDK's span classes now, at start, instead of
        // on aiscope's event thread with the first request (tens of milliseconds).
        SdkTracerProvider.builder().build().get(SCOPE).spanBuilder("warm-up").startSpan().end();
    }

    synchronized Tracer tracer(int pid, String processName) {
        return tracers.computeIfAbsent(new Process(pid, processName), this::create);
    }

    private Tracer create(Process process) {
        Attributes attributes = Attributes.of(SERVICE_NAME, serviceName != null ? serviceName : process.name(),
                PROCESS_PID, (long) process.pid());
        return SdkTracerProvider.builder()
                .setResource(host.merge(Resource.create(attributes)))
                .setSampler(Sampler.alwaysOn())
                .setSpanLimits(SpanLimits.builder().setMaxNumberOfEvents(RequestSpans.MAX_TOKEN_EVENTS).build())
                .addSpanProcessor(processor)
                .build()
                .get(SCOPE);
    }

    /**
     * What every process's resource shares: the SDK's telemetry.sdk.{name,language,version} and host.name, the
     * kernel's host name (InetAddress.getLocalHost() may wait on DNS).
     */
    private static Resource host() {
        Resource sdk = Resource.getDefault();
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? sdk : sdk.merge(Resource.create(Attributes.of(HOST_NAME, name)));
        } catch (IOException e) {
            return sdk;
        }
    }
}
