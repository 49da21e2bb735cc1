package io.aiscope.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.AgentStats;
import io.aiscope.engine.AttachedLibrary;
import io.aiscope.symbols.AddressResolver;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Table, CheckList and AgentMetrics: the small output forms of top, doctor and serve. */
@Tag("unit")
class OutputFormsTest {
    @Test
    void tableAlignsColumns() {
        Table t = new Table(List.of(Table.Column.right("PID"), Table.Column.left("COMM"), Table.Column.right("DEV MEM")));
        t.add(List.of("7", "python3", Table.bytes(3 * 1024 * 1024)));
        t.add(List.of("12345", "a", Table.bytes(0)));
        assertThat(t.render()).isEqualTo("""
                  PID  COMM     DEV MEM
                    7  python3  3.0 MiB
                12345  a            0 B
                """);
        assertThat(Table.number(950)).isEqualTo("950");
        assertThat(Table.number(12.25)).isEqualTo("12.3");
        assertThat(Table.number(12_345)).isEqualTo("12.3k");
        assertThat(Table.number(4_500_000)).isEqualTo("4.5M");
        assertThat(Table.bytes(1536)).isEqualTo("1.5 KiB");
    }

    @Test
    void checkListSaysWhetherTracingWorks() {
        CheckList checks = new CheckList();
        checks.ok("btf", "present");
        checks.warn("kprobe", "not available here: no kprobes");
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        checks.print(new PrintStream(text, true, StandardCharsets.UTF_8));
        assertThat(text.toString(StandardCharsets.UTF_8)).isEqualTo("""
                ok    btf     present
                warn  kprobe  not available here: no kprobes

                tracing works here (1 ok, 1 warnings, 0 failures)
                """);
        assertThat(checks.passed()).isTrue();

        checks.fail("privileges", "not root");
        ObjectNode json = checks.toJson(new ObjectMapper());
        assertThat(json.get("tracing_works").asBoolean()).isFalse();
        assertThat(json.get("checks").get(2).get("status").asText()).isEqualTo("fail");
        assertThat(json.get("summary").asText()).startsWith("tracing cannot work here: fix privileges");
    }

    @Test
    void agentMetrics() throws Exception {
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("proc", 0L);
        dropped.put("cuda", 17L);
        AgentStats stats = new AgentStats(1234, dropped, 2, 0,
                List.of(new AttachedLibrary("cuda", "CUDA runtime", Path.of("/x/libcudart.so.13"), List.of(), List.of())),
                Map.of(), Map.of(), List.of(), new AddressResolver.Failures(0, 0, 0, 0), null);
        PrometheusRegistry registry = new PrometheusRegistry();
        AgentMetrics.register(registry, () -> stats);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        assertThat(out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#")))
                .containsExactlyInAnyOrder(
                        "aiscope_agent_events_total 1234.0",
                        "aiscope_agent_events_lost_total{family=\"cuda\"} 17.0",
                        "aiscope_agent_events_lost_total{family=\"proc\"} 0.0",
                        "aiscope_agent_undecodable_events_total 2.0",
                        "aiscope_agent_probed_libraries 1.0");
    }
}
