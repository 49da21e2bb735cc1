package io.aiscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("kernel")
class TraceCommandTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Pattern SUMMARY = Pattern.compile(
            "aiscope: (\\d+) events shown, (\\d+) dropped in kernel .*, (\\d+) dropped in queue .*");

    @Test
    void jsonLinesHoldEveryCallOfTheTracedProcessAndCtrlCEndsCleanly() throws Exception {
        int calls = 37;
        try (CudaMallocs workload = new CudaMallocs(calls);
             LiveCommand trace = new LiveCommand("trace", "-p", Integer.toString(workload.pid()), "--json")) {
            trace.awaitStderr(l -> l.startsWith("aiscope: tracing PID " + workload.pid()), STARTUP);
            workload.call();
            trace.signal("INT");
            assertThat(trace.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", trace.stderr())).isZero();

            List<JsonNode> events = new ArrayList<>();
            for (String line : trace.stdout()) {
                events.add(Aiscope.JSON.readTree(line));
            }
            for (JsonNode e : events) {
                assertThat(e.has("ts_ns") && e.has("family") && e.has("type") && e.has("pid") && e.has("tid")
                        && e.has("comm")).as(e.toString()).isTrue();
            }
            List<JsonNode> mallocs = events.stream().filter(e -> e.get("type").asText().equals("cudaMalloc")).toList();
            assertThat(mallocs).hasSize(calls);
            assertThat(mallocs).allSatisfy(e -> {
                assertThat(e.get("pid").asInt()).isEqualTo(workload.pid());
                assertThat(e.get("family").asText()).isEqualTo("cuda");
                assertThat(e.get("comm").asText()).isEqualTo("cuda_mallocs");
                assertThat(e.get("ret").asInt()).isEqualTo(35);
                assertThat(e.get("bytes").asLong()).isEqualTo(4096);
            });
            Matcher summary = summary(trace);
            assertThat(Long.parseLong(summary.group(1))).isEqualTo(events.size());
            assertThat(summary.group(2)).isEqualTo("0");
            assertThat(summary.group(3)).isEqualTo("0");
        }
    }

    @Test
    void readableColumnsForOneFamilyUntilTheDurationEnds() throws Exception {
        int calls = 5;
        try (CudaMallocs workload = new CudaMallocs(calls);
             LiveCommand trace = new LiveCommand("trace", "-p", Integer.toString(workload.pid()), "--family", "cuda",
                     "--duration", "4")) {
            trace.awaitStderr(l -> l.startsWith("aiscope: tracing PID " + workload.pid() + " for 4"), STARTUP);
            workload.call();
            workload.close(); // its exit is a proc event, which --family cuda leaves out
            assertThat(trace.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", trace.stderr())).isZero();

            List<String> lines = trace.stdout();
            assertThat(lines.getFirst()).matches("\\s*TIME\\(s\\) FAMILY TYPE\\s+PID\\s+TID COMM\\s+FIELDS");
            assertThat(lines.subList(1, lines.size())).hasSize(calls).allSatisfy(l -> assertThat(l).matches(
                    "\\s*\\d+\\.\\d{6} cuda\\s+cudaMalloc\\s+" + workload.pid() + "\\s+" + workload.pid()
                            + " cuda_mallocs\\s+ret=35 duration_us=\\d+\\.\\d{3} bytes=4096 ptr=0x0"));
            assertThat(summary(trace).group(1)).isEqualTo(Integer.toString(calls));
        }
    }

    private static Matcher summary(LiveCommand trace) throws InterruptedException {
        String line = trace.awaitStderr(l -> SUMMARY.matcher(l).matches(), Duration.ofSeconds(5));
        Matcher m = SUMMARY.matcher(line);
        assertThat(m.matches()).isTrue();
        return m;
    }
}
