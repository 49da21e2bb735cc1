package io.aiscope.cli;

import io.aiscope.testing.LiveCommand;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Tag("kernel")
class TopCommandTest {
    @Test
    void plainTablesWithTheTracedProcessAndItsCudaCalls() throws Exception {
        int calls = 40;
        try (CudaMallocs workload = new CudaMallocs(calls);
             LiveCommand top = new LiveCommand("top", "-p", Integer.toString(workload.pid()), "--iterations", "3",
                     "--interval", "1")) {
            top.awaitStdout(l -> l.startsWith("aiscope top"), Duration.ofSeconds(60));
            workload.call();
            assertThat(top.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", top.stderr())).isZero();

            List<String> out = top.stdout();
            assertThat(String.join("\n", out)).doesNotContain("\033");
            List<List<String>> tables = tables(out);
            assertThat(tables).hasSize(3);
            List<String> header = cells(tables.getFirst().get(1));
            assertThat(header).startsWith("PID", "COMM", "CUDA/s", "ERRORS", "DEV MEM", "MEMCPY/s", "LAUNCH/s", "SYNC ms/s");
            if (header.contains("CTXSW/s")) {
                assertThat(header).contains("RUNQ p99 µs");
            }
            // Every table lists the -p process; the last one has seen all its calls, all failed (no driver).
            List<String> pid = Arrays.asList(Integer.toString(workload.pid()), "cuda_mallocs");
            List<String> lastRow = null;
            long busiest = 0;
            for (List<String> table : tables) {
                List<String> row = table.stream().skip(2).map(TopCommandTest::cells)
                        .filter(c -> c.subList(0, 2).equals(pid)).findFirst().orElseThrow(() -> new AssertionError(table));
                busiest = Math.max(busiest, Math.round(Double.parseDouble(row.get(header.indexOf("CUDA/s")))));
                lastRow = row;
            }
            assertThat(lastRow.get(header.indexOf("ERRORS"))).isEqualTo(Integer.toString(calls));
            assertThat(lastRow.get(header.indexOf("DEV MEM"))).isEqualTo("0 B");
            assertThat(busiest).as("calls/s in the interval of the calls").isBetween(calls / 2L, calls * 2L);
        }
    }

    /** Tables as printed: a title line, the header, the rows; separated by blank lines. */
    private static List<List<String>> tables(List<String> lines) {
        List<List<String>> tables = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("aiscope top")) {
                tables.add(new ArrayList<>());
            }
            if (!line.isBlank()) {
                tables.getLast().add(line);
            }
        }
        return tables;
    }

    private static List<String> cells(String line) {
        return Arrays.asList(line.strip().split("\\s{2,}"));
    }
}
