package io.aiscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.output.perfetto.ChromeTraceChecker;
import io.aiscope.probe.cuda.CudaFunction;
import io.aiscope.testing.Aiscope;
import io.aiscope.testing.LiveCommand;
import io.aiscope.testing.Workloads;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class RecordCommandTest {
    private static final Pattern WROTE = Pattern.compile(
            "aiscope: wrote (\\d+) events \\((\\d+) requests\\) to (.+); open it in https://ui.perfetto.dev");
    private static final Set<String> RUNTIME = new HashSet<>(Arrays.stream(CudaFunction.values()).map(Enum::name)
            .toList());

    @TempDir
    Path dir;

    /** The trace holds every CUDA runtime call the census made, on the right threads, named, nested, in time. */
    @Test
    @Tag("kernel")
    void recordsEveryCudaCallOfALaunchedCommandAndPassesOnItsExitCode() throws Exception {
        Path file = dir.resolve("census.json");
        Aiscope.Result r = Aiscope.run("record", "-o", file.toString(), "--probes", "cuda", "--",
                Workloads.get("cuda_census").toString(), "--threads", "4", "--mallocs", "400", "--frees", "200",
                "--launches", "90", "--leak", "2", "--exit-code", "3");
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(3);
        JsonNode census = Aiscope.JSON.readTree(r.stdout());
        ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file);

        int pid = census.get("pid").asInt();
        assertThat(trace.processNames()).containsEntry(pid, "cuda_census");
        Map<Integer, String> threads = trace.threadNames();
        census.get("tids").forEach(t -> assertThat(threads).containsKey(t.asInt()));

        Map<String, Long> seen = new HashMap<>();
        long origin = trace.otherData().get("clock_origin_ns").asLong();
        long start = census.get("start_monotonic_ns").asLong(), end = census.get("end_monotonic_ns").asLong();
        for (JsonNode s : trace.slices("cuda")) {
            seen.merge(s.get("name").asText(), 1L, Long::sum);
            assertThat(s.get("pid").asInt()).isEqualTo(pid);
            long at = origin + ChromeTraceChecker.nanos(s.get("ts"));
            assertThat(at).as("%s within the census's run", s).isBetween(start, end);
        }
        long expectedRuntime = 0;
        for (String fn : RUNTIME) {
            long calls = fn.startsWith("__") ? census.get("generated_calls").path(fn).asLong()
                    : census.get("functions").path(fn).path("calls").asLong();
            assertThat(seen.getOrDefault(fn, 0L)).as(fn).isEqualTo(calls);
            expectedRuntime += calls;
        }
        assertThat(expectedRuntime).isGreaterThan(700);
        assertThat(census.get("functions").get("cudaMalloc").get("calls").asLong()).isEqualTo(402);
        // Driver calls (where a libcuda is installed) come on top; without one there are none.
        long runtime = seen.entrySet().stream().filter(e -> RUNTIME.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(runtime).isEqualTo(expectedRuntime);

        JsonNode other = trace.otherData();
        assertThat(other.get("exit_code").asInt()).isEqualTo(3);
        assertThat(other.get("dropped_events").asLong()).isZero();
        assertThat(other.get("command").asText()).startsWith("aiscope record -o " + file);
        assertThat(other.get("aiscope_version").asText()).isNotEmpty();
        assertThat(trace.events(e -> e.path("cat").asText().equals("proc") && e.get("name").asText().equals("exit")))
                .anySatisfy(e -> assertThat(e.get("args").get("exit_code").asInt()).isEqualTo(3));

        List<String> lines = r.stderr().lines().toList();
        Matcher wrote = WROTE.matcher(lines.getLast());
        assertThat(wrote.matches()).as(r.stderr()).isTrue();
        assertThat(Long.parseLong(wrote.group(1))).isEqualTo(other.get("events").asLong()).isGreaterThan(expectedRuntime);
        assertThat(wrote.group(2)).isEqualTo("0");
        assertThat(wrote.group(3)).isEqualTo(file.toString());
    }

    @Test
    @Tag("kernel")
    void recordsARunningProcessUntilCtrlC() throws Exception {
        Path file = dir.resolve("live.json");
        int calls = 23;
        try (CudaMallocs workload = new CudaMallocs(calls);
             LiveCommand record = new LiveCommand("record", "-o", file.toString(), "-p",
                     Integer.toString(workload.pid()), "--probes", "cuda")) {
            record.awaitStderr(l -> l.startsWith("aiscope: recording PID " + workload.pid() + " to " + file),
                    Duration.ofSeconds(60));
            workload.call();
            record.signal("INT");
            assertThat(record.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", record.stderr())).isZero();
            assertThat(record.stderr().getLast()).matches(WROTE);

            ChromeTraceChecker.Trace trace = ChromeTraceChecker.check(file);
            List<JsonNode> mallocs = trace.slices("cuda").stream()
                    .filter(e -> e.get("name").asText().equals("cudaMalloc")).toList();
            assertThat(mallocs).hasSize(calls).allSatisfy(e -> {
                assertThat(e.get("ph").asText()).isEqualTo("X");
                assertThat(e.get("pid").asInt()).isEqualTo(workload.pid());
                assertThat(e.get("tid").asInt()).isEqualTo(workload.pid());
                assertThat(e.get("args").get("bytes").asLong()).isEqualTo(4096);
            });
            assertThat(trace.processNames()).containsEntry(workload.pid(), "cuda_mallocs");
            assertThat(trace.threadNames()).containsEntry(workload.pid(), "cuda_mallocs");
            assertThat(trace.otherData().has("exit_code")).isFalse();
        }
    }

    private static void assertOneLineError(InProcess.Result r, String expected) {
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSize(1);
        assertThat(r.stderr()).startsWith("aiscope: ").contains(expected);
    }

    /** Mistakes get one line and exit code 1 before anything is loaded into the kernel (so: no root needed). */
    @Test
    @Tag("unit")
    void mistakesAreOneLineBeforeAnythingIsLoaded() {
        String out = dir.resolve("x.json").toString();
        assertOneLineError(InProcess.run("record", "-o", out, "-p", "1", "--", "true"), "not both");
        assertOneLineError(InProcess.run("record", "-o", out, "--all", "-p", "1"), "not both");
        assertOneLineError(InProcess.run("record", "-o", out, "--duration", "3", "--", "true"), "--duration is for -p/--all");
        assertOneLineError(InProcess.run("record", "-o", out, "--all", "--duration", "0"), "--duration must be positive");
        assertOneLineError(InProcess.run("record", "-o", out, "-p", "999999"), "no process with PID 999999");
        assertThat(dir.resolve("x.json")).doesNotExist();
        Path nowhere = dir.resolve("missing/x.json");
        assertOneLineError(InProcess.run("record", "-o", nowhere.toString(), "--all"),
                "cannot write " + nowhere + ": no such directory");
        assertOneLineError(InProcess.run("record", "-o", dir.toString(), "--all"), "cannot write " + dir + ": Is a directory");
    }
}
