package io.aiscope.probe.tcp;

import io.aiscope.engine.ProcessNames;
import io.aiscope.output.LabelledValues;
import io.aiscope.output.SnapshotCollector;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The tcp family's Prometheus metrics, read from {@link TcpStats} at scrape time. */
final class TcpMetrics {
    static final String LATENCY = "aiscope_tcp_connect_latency_seconds";

    private final TcpStats stats;
    private final ProcessNames names;

    TcpMetrics(TcpStats stats, ProcessNames names) {
        this.stats = stats;
        this.names = names;
    }

    void register(PrometheusRegistry registry) {
        perProcess(registry, "aiscope_tcp_retransmits_total",
                "TCP segments the kernel retransmitted for connections (and SYN-ACKs of listeners) of the process",
                p -> p.retransmits);
        CounterWithCallback.builder().name("aiscope_tcp_unattributed_retransmits_total")
                .help("TCP retransmission attempts on sockets no traced process was seen to own")
                .callback(cb -> cb.call(unattributed())).register(registry);
        CounterWithCallback.builder().name("aiscope_tcp_connections_total")
                .help("TCP connections of the process that reached ESTABLISHED, by who opened them")
                .labelNames("pid", "comm", "role")
                .callback(cb -> connections().forEach(cb::call)).register(registry);
        perProcess(registry, "aiscope_tcp_connect_failures_total",
                "connect() attempts of the process that closed before reaching ESTABLISHED", p -> p.connectFailures);
        perProcessGauge(registry, "aiscope_tcp_open_connections", "TCP connections of the process open now",
                p -> p.open);
        perProcess(registry, "aiscope_tcp_sent_bytes_total",
                "Payload bytes the peers acknowledged, over the process's closed TCP connections", p -> p.txBytes);
        perProcess(registry, "aiscope_tcp_received_bytes_total",
                "Payload bytes received, over the process's closed TCP connections", p -> p.rxBytes);
        SnapshotCollector.register(registry, LATENCY, this::latency);
    }

    private void perProcess(PrometheusRegistry registry, String name, String help, ToDoubleFunction<ProcessTcp> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("pid", "comm")
                .callback(cb -> byProcess(value).forEach(cb::call)).register(registry);
    }

    private void perProcessGauge(PrometheusRegistry registry, String name, String help,
            ToDoubleFunction<ProcessTcp> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("pid", "comm")
                .callback(cb -> byProcess(value).forEach(cb::call)).register(registry);
    }

    private LabelledValues byProcess(ToDoubleFunction<ProcessTcp> value) {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            stats.processes.values().forEach(p -> v.add(value.applyAsDouble(p), pid(p), comm(p)));
        }
        return v;
    }

    private double unattributed() {
        synchronized (stats) {
            return stats.unattributedRetransmits;
        }
    }

    private LabelledValues connections() {
        LabelledValues v = new LabelledValues();
        synchronized (stats) {
            for (ProcessTcp p : stats.processes.values()) {
                for (TcpEvent.Role r : TcpEvent.Role.values()) {
                    if (p.opened[r.ordinal()] > 0) {  // most processes only ever connect, or only accept
                        v.add(p.opened[r.ordinal()], pid(p), comm(p), r.label());
                    }
                }
            }
        }
        return v;
    }

    /** Client connect latency (SYN_SENT to ESTABLISHED) per process; processes past the label budget are summed. */
    HistogramSnapshot latency() {
        Map<List<String>, long[]> buckets = new LinkedHashMap<>();
        Map<List<String>, Long> sums = new LinkedHashMap<>();
        synchronized (stats) {
            for (ProcessTcp p : stats.processes.values()) {
                if (p.opened[TcpEvent.Role.CLIENT.ordinal()] == 0) {
                    continue;
                }
                List<String> labels = List.of(pid(p), comm(p));
                long[] b = buckets.computeIfAbsent(labels, k -> new long[ProcessTcp.LATENCY_BOUNDS.length]);
                for (int i = 0; i < b.length; i++) {
                    b[i] += p.latencyBuckets[i];
                }
                sums.merge(labels, p.latencySumNs, Long::sum);
            }
        }
        HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(LATENCY)
                .help("TCP connect latency of the process's connections: SYN sent to ESTABLISHED");
        buckets.forEach((labels, b) -> {
            ClassicHistogramBuckets.Builder cb = ClassicHistogramBuckets.builder();
            for (int i = 0; i < b.length; i++) {
                cb.bucket(ProcessTcp.LATENCY_BOUNDS[i], b[i]);
            }
            snapshot.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("pid", labels.get(0), "comm", labels.get(1)))
                    .classicHistogramBuckets(cb.build())
                    .sum(sums.get(labels) / 1e9)
                    .build());
        });
        return snapshot.build();
    }

    private String pid(ProcessTcp p) {
        return names.pidLabel(p.pid);
    }

    private String comm(ProcessTcp p) {
        return names.commLabel(p.pid);
    }
}
