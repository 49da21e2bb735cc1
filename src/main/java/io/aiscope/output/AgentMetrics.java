package io.aiscope.output;

import io.aiscope.engine.AgentStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.function.Supplier;

/** aiscope's own health as metrics: events read, lost in the kernel, undecodable; libraries probed. */
public final class AgentMetrics {
    private AgentMetrics() {}

    public static void register(PrometheusRegistry registry, Supplier<AgentStats> stats) {
        CounterWithCallback.builder().name("aiscope_agent_events_total")
                .help("Events aiscope read from the kernel's ring buffers")
                .callback(cb -> cb.call(stats.get().events())).register(registry);
        CounterWithCallback.builder().name("aiscope_agent_events_lost_total")
                .help("Events lost in the kernel because a family's ring buffer was full")
                .labelNames("family")
                .callback(cb -> stats.get().droppedByFamily().forEach((family, n) -> cb.call(n, family)))
                .register(registry);
        CounterWithCallback.builder().name("aiscope_agent_undecodable_events_total")
                .help("Events read but not decoded (malformed, or the decoder failed)")
                .callback(cb -> cb.call(stats.get().undecodable())).register(registry);
        GaugeWithCallback.builder().name("aiscope_agent_probed_libraries")
                .help("Library files aiscope has uprobes in (each copy of libcudart counts once)")
                .callback(cb -> cb.call(stats.get().libraries().size())).register(registry);
    }
}
