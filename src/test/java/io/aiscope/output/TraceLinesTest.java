package io.aiscope.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aiscope.engine.TraceEvent;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("unit")
class TraceLinesTest {
    private static final long ORIGIN = 5_000_000_000L;

    private static TraceEvent malloc() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("function", "cudaMalloc");
        fields.put("ret", 35);
        fields.put("duration_us", 0.8512);
        fields.put("bytes", 4096L);
        fields.put("kernel", "void scale<float>(float*, float, int)");
        return new TraceEvent("cuda", "cudaMalloc", ORIGIN + 1_234_567_891L, 42, 43, fields);
    }

    @Test
    void textIsFixedColumnsThenFields() {
        TraceLines lines = TraceLines.text(ORIGIN, pid -> "python3");
        assertThat(lines.header()).hasValueSatisfying(h -> assertThat(h).matches(
                "\\s+TIME\\(s\\) FAMILY TYPE\\s+PID\\s+TID COMM\\s+FIELDS"));
        assertThat(lines.format(malloc())).isEqualTo(
                "    1.234567 cuda   cudaMalloc                  42      43 python3          "
                        + "ret=35 duration_us=0.851 bytes=4096 kernel=\"void scale<float>(float*, float, int)\"");
    }

    @Test
    void anEventsOwnCommWins() {
        TraceEvent exec = new TraceEvent("proc", "exec", ORIGIN - 2000, 7, 7,
                Map.of("comm", "bash", "filename", "/usr/bin/bash"));
        TraceLines lines = TraceLines.text(ORIGIN, pid -> "stale");
        assertThat(lines.format(exec)).startsWith("   -0.000002 proc   exec").contains(" bash ")
                .endsWith("filename=/usr/bin/bash").doesNotContain("stale");
    }

    @Test
    void jsonHasTheFixedKeysThenTheFields() throws Exception {
        TraceLines lines = TraceLines.json(pid -> "python3");
        assertThat(lines.header()).isEmpty();
        String line = lines.format(malloc());
        assertThat(line).doesNotContain("\n");
        JsonNode o = new ObjectMapper().readTree(line);
        assertThat(o.get("ts_ns").asLong()).isEqualTo(ORIGIN + 1_234_567_891L);
        assertThat(o.get("family").asText()).isEqualTo("cuda");
        assertThat(o.get("type").asText()).isEqualTo("cudaMalloc");
        assertThat(o.get("pid").asInt()).isEqualTo(42);
        assertThat(o.get("tid").asInt()).isEqualTo(43);
        assertThat(o.get("comm").asText()).isEqualTo("python3");
        assertThat(o.get("ret").isInt()).isTrue();
        assertThat(o.get("duration_us").asDouble()).isEqualTo(0.8512);
        assertThat(o.get("bytes").asLong()).isEqualTo(4096);
        assertThat(o.get("kernel").asText()).isEqualTo("void scale<float>(float*, float, int)");
    }
}
