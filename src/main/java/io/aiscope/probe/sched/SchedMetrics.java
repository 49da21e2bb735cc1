package io.aiscope.probe.sched;

import io.aiscope.engine.ProcessNames;
import io.aiscope.output.LabelledValues;
import io.aiscope.output.SnapshotCollector;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The sched family's Prometheus metrics, read from the family's view at scrape time. */
final class SchedMetrics {
    static final String LATENCY = "aiscope_runqueue_latency_seconds";

    private final Supplier<Map<Integer, ProcessSched>> view;
    private final ProcessNames names;

    SchedMetrics(Supplier<Map<Integer, ProcessSched>> view, ProcessNames names) {
        this.view = view;
        this.names = names;
    }

    void register(PrometheusRegistry registry) {
        SnapshotCollector.register(registry, LATENCY, this::latency);
        CounterWithCallback.builder().name("aiscope_context_switches_total")
                .help("Times threads of the process left the CPU: voluntary (blocked) or involuntary (preempted)")
                .labelNames("pid", "comm", "kind")
                .callback(cb -> switches().forEach(cb::call)).register(registry);
        CounterWithCallback.builder().name("aiscope_off_cpu_seconds_total")
                .help("Time threads of the process spent off CPU (switch-out to switch-in), summed over threads")
                .labelNames("pid", "comm")
                .callback(cb -> offCpu().forEach(cb::call)).register(registry);
    }

    /** Processes summed per label set: past the label budget they share pid="other". */
    private Map<List<String>, ProcessSched> byLabels() {
        Map<List<String>, ProcessSched> out = new LinkedHashMap<>();
        for (ProcessSched p : view.get().values()) {
            out.merge(List.of(names.pidLabel(p.pid()), names.commLabel(p.pid())), p, ProcessSched::plus);
        }
        return out;
    }

    /** The kernel's log2 µs slots as a classic histogram in seconds; the model takes per-bucket counts. */
    HistogramSnapshot latency() {
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(LATENCY)
                .help("Run-queue latency: time from becoming runnable (wakeup or preemption) to running on a CPU");
        byLabels().forEach((labels, p) -> {
            ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
            for (int i = 0; i < Log2Histogram.SLOTS; i++) {
                buckets.bucket(Log2Histogram.upperBound(i) / 1e6, p.slots()[i]);
            }
            snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("pid", labels.get(0), "comm", labels.get(1)))
                    .classicHistogramBuckets(buckets.build())
                    .sum(p.sumUs() / 1e6)
                    .build());
        });
        return snapshot.build();
    }

    private LabelledValues switches() {
        LabelledValues v = new LabelledValues();
        byLabels().forEach((labels, p) -> {
            v.add(p.voluntary(), labels.get(0), labels.get(1), "voluntary");
            v.add(p.involuntary(), labels.get(0), labels.get(1), "involuntary");
        });
        return v;
    }

    private LabelledValues offCpu() {
        LabelledValues v = new LabelledValues();
        byLabels().forEach((labels, p) -> v.add(p.offCpuNs() / 1e9, labels.get(0), labels.get(1)));
        return v;
    }
}
