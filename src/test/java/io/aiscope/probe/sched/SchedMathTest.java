package io.aiscope.probe.sched;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.ProcessNames;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class SchedMathTest {

    /** A process whose waits were {@code valuesUs}, histogrammed as the BPF side does. */
    static ProcessSched process(int pid, long... valuesUs) {
        long[] slots = new long[Log2Histogram.SLOTS];
        long sum = 0, max = 0;
        for (long v : valuesUs) {
            slots[Log2Histogram.slot(v)]++;
            sum += v;
            max = Math.max(max, v);
        }
        return new ProcessSched(pid, slots, valuesUs.length, sum, max, 10, 4, 2_500_000);
    }

    @Test
    void slotsMatchTheBpfLog2() {
        assertThat(Log2Histogram.slot(0)).isZero();
        assertThat(Log2Histogram.slot(1)).isZero();
        assertThat(Log2Histogram.slot(2)).isEqualTo(1);
        assertThat(Log2Histogram.slot(3)).isEqualTo(1);
        assertThat(Log2Histogram.slot(4)).isEqualTo(2);
        assertThat(Log2Histogram.slot(1023)).isEqualTo(9);
        assertThat(Log2Histogram.slot(1024)).isEqualTo(10);
        assertThat(Log2Histogram.slot(Long.MAX_VALUE)).isEqualTo(31);
        for (long v = 0; v < 100_000; v++) {
            assertThat((double) v).isLessThan(Log2Histogram.upperBound(Log2Histogram.slot(v)));
        }
    }

    @Test
    void quantilesAreSlotUpperBoundsCappedAtTheMax() {
        // 98 short waits (5 µs, slot 2: [4, 8)), one of 300 µs (slot 8: [256, 512)), one of 5000 µs.
        long[] values = new long[100];
        java.util.Arrays.fill(values, 5);
        values[98] = 300;
        values[99] = 5000;
        ProcessSched p = process(1, values);
        assertThat(p.quantileUs(0.50)).isEqualTo(8);
        assertThat(p.quantileUs(0.98)).isEqualTo(8);
        assertThat(p.quantileUs(0.99)).isEqualTo(512);
        assertThat(p.quantileUs(1.0)).isEqualTo(5000); // slot bound 8192, but max is exact
        assertThat(p.maxUs()).isEqualTo(5000);
        // Never below the true quantile, less than twice it.
        assertThat(process(1, 700, 700, 700).quantileUs(0.5)).isEqualTo(700); // capped by max
        assertThat(process(1, 700, 700, 900).quantileUs(0.5)).isEqualTo(900).isBetween(700L, 1400L);
    }

    @Test
    void emptyHistogramHasZeroQuantiles() {
        ProcessSched p = ProcessSched.empty(7);
        assertThat(p.quantileUs(0.5)).isZero();
        assertThat(p.quantileUs(0.99)).isZero();
    }

    @Test
    void sumsAddSlotsAndCountersAndKeepTheLargestMax() {
        ProcessSched sum = process(1, 3, 3000).plus(process(2, 10, 20, 40_000));
        assertThat(sum.pid()).isEqualTo(1);
        assertThat(sum.count()).isEqualTo(5);
        assertThat(sum.sumUs()).isEqualTo(43_033);
        assertThat(sum.maxUs()).isEqualTo(40_000);
        assertThat(sum.switches()).isEqualTo(20);
        assertThat(sum.involuntary()).isEqualTo(8);
        assertThat(sum.voluntary()).isEqualTo(12);
        assertThat(sum.offCpuMs()).isEqualTo(5.0);
        assertThat(sum.slots()[1] + sum.slots()[3] + sum.slots()[4] + sum.slots()[11] + sum.slots()[15]).isEqualTo(5);
    }

    @Test
    void reportSectionHasTotalsHistogramAndProcesses() {
        ObjectNode section = new ObjectMapper().createObjectNode();
        ProcessSched a = process(101, 5, 5, 300);
        ProcessSched b = process(102, 5000);
        SchedFamily.write(section, SchedFamily.total(java.util.List.of(a, b)));
        ObjectNode latency = (ObjectNode) section.get("runqueue_latency_us");
        assertThat(latency.get("count").asLong()).isEqualTo(4);
        assertThat(latency.get("p50").asLong()).isEqualTo(8);
        assertThat(latency.get("p99").asLong()).isEqualTo(5000);
        assertThat(latency.get("max").asLong()).isEqualTo(5000);
        // Slots 0..12 (5000 µs is in [4096, 8192)), per-slot counts.
        assertThat(latency.get("histogram")).hasSize(13);
        assertThat(latency.get("histogram").get(2).get("le_us").asLong()).isEqualTo(8);
        assertThat(latency.get("histogram").get(2).get("count").asLong()).isEqualTo(2);
        assertThat(latency.get("histogram").get(12).get("le_us").asLong()).isEqualTo(8192);
        assertThat(section.get("context_switches").asLong()).isEqualTo(20);
        assertThat(section.get("involuntary_switches").asLong()).isEqualTo(8);
        assertThat(section.get("off_cpu_ms").asDouble()).isEqualTo(5.0);
    }

    @Test
    void metricsExposeACumulativeHistogramInSecondsAndMergeOverflowProcesses() throws Exception {
        ProcessNames names = new ProcessNames(1);
        names.remember(101, "first");
        names.remember(102, "second");
        names.remember(103, "third");
        Map<Integer, ProcessSched> view = new LinkedHashMap<>();
        view.put(101, process(101, 5, 300));
        view.put(102, process(102, 5000));
        view.put(103, process(103, 3));
        PrometheusRegistry registry = new PrometheusRegistry();
        new SchedMetrics(() -> view, names).register(registry);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        String text = out.toString(StandardCharsets.UTF_8);

        assertThat(text).contains("# TYPE aiscope_runqueue_latency_seconds histogram");
        // pid 101 has its own labels; 102 and 103 are past the budget of 1 and are summed as "other".
        assertThat(text).contains("aiscope_runqueue_latency_seconds_bucket{comm=\"first\",pid=\"101\",le=\"8.0E-6\"} 1");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_bucket{comm=\"first\",pid=\"101\",le=\"5.12E-4\"} 2");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_bucket{comm=\"first\",pid=\"101\",le=\"+Inf\"} 2");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_count{comm=\"first\",pid=\"101\"} 2");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_sum{comm=\"first\",pid=\"101\"} 3.05E-4");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_bucket{comm=\"other\",pid=\"other\",le=\"4.0E-6\"} 1");
        assertThat(text).contains("aiscope_runqueue_latency_seconds_count{comm=\"other\",pid=\"other\"} 2");
        assertThat(text).contains("aiscope_context_switches_total{comm=\"first\",kind=\"involuntary\",pid=\"101\"} 4");
        assertThat(text).contains("aiscope_context_switches_total{comm=\"other\",kind=\"voluntary\",pid=\"other\"} 12");
        assertThat(text).contains("aiscope_off_cpu_seconds_total{comm=\"other\",pid=\"other\"} 0.005");
    }
}
