package io.aiscope.output;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import java.util.function.Supplier;

/** Registers a metric whose whole snapshot is built at scrape time (histograms from in-kernel log2 slots). */
public final class SnapshotCollector {
    private SnapshotCollector() {}

    public static void register(PrometheusRegistry registry, String name, Supplier<MetricSnapshot> snapshot) {
        registry.register(new Collector() {
            @Override
            public MetricSnapshot collect() {
                return snapshot.get();
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        });
    }
}
