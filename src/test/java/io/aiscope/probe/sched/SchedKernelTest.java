package io.aiscope.probe.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.AgentLog;
import io.aiscope.engine.Families;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.Session;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real BPF against workloads/cpu/busy, whose own numbers (per-thread CPU time, the kernel's schedstat run-queue
 * wait, getrusage switch counts) are the truth the probes are checked against.
 */
@Tag("kernel")
class SchedKernelTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path busy;

    @BeforeAll
    static void buildWorkload() throws Exception {
        busy = dir.resolve("busy");
        run("gcc", "-O2", "-pthread", "-o", busy.toString(), Path.of("workloads/cpu/busy.c").toAbsolutePath().toString());
    }

    /** What the sched family reported for the workload's process, and what the workload said about itself. */
    record Traced(JsonNode process, JsonNode totals, JsonNode workload) {
        long truth(String field) {
            long sum = 0;
            for (JsonNode t : workload.get("threads")) {
                sum += t.get(field).asLong();
            }
            return sum;
        }
    }

    @Test
    void busyThreadsSharingOneCpuWaitInTheRunQueue() throws Exception {
        Traced t = trace("--threads", "4", "--ms", "1000", "--cpu", "0");
        JsonNode latency = t.process.get("runqueue_latency_us");
        long waitUs = t.truth("runqueue_wait_ns") / 1000;
        long cpuNs = t.truth("cpu_ns");
        long wallNs = t.workload.get("end_monotonic_ns").asLong() - t.workload.get("start_monotonic_ns").asLong();
        System.err.printf("busy: report %s%n  truth: wait %d us, cpu %d ms, wall %d ms, involuntary %d, voluntary %d%n",
                t.process, waitUs, cpuNs / 1_000_000, wallNs / 1_000_000, t.truth("involuntary_switches"),
                t.truth("voluntary_switches"));

        // 4 spinning threads on one CPU: each waits for the others' slices (ms each).
        assertThat(latency.get("count").asLong()).isGreaterThan(100);
        assertThat(latency.get("p99").asLong()).isGreaterThanOrEqualTo(1000);
        assertThat(latency.get("max").asLong()).isGreaterThanOrEqualTo(latency.get("p99").asLong() / 2);
        assertThat(latency.get("histogram")).isNotEmpty();
        // The kernel's own run-queue wait of the spinning threads (schedstat); ours also has the main thread's.
        long sumUs = Math.round(latency.get("mean").asDouble() * latency.get("count").asLong());
        assertThat((double) sumUs).isCloseTo(waitUs, within(0.15 * waitUs + 20_000));
        // Preemptions as getrusage counts them; ours add the exit path after the workload read its counters.
        long involuntary = t.truth("involuntary_switches");
        assertThat(involuntary).isGreaterThan(100);
        assertThat((double) t.process.get("involuntary_switches").asLong()).isCloseTo(involuntary,
                within(0.1 * involuntary + 20));
        // Off CPU: the threads' wall time minus the CPU they got, plus the main thread waiting in pthread_join.
        long threads = t.workload.get("threads").size();
        double expectedMs = ((threads + 1) * wallNs - cpuNs) / 1e6;
        assertThat(t.process.get("off_cpu_ms").asDouble()).isCloseTo(expectedMs, within(0.15 * expectedMs + 20));
        // The totals cover the traced processes: only this one.
        assertThat(t.totals.get("context_switches")).isEqualTo(t.process.get("context_switches"));
    }

    @Test
    void aSleepingThreadIsRunSoonAfterEachWakeup() throws Exception {
        Traced quiet = trace("--quiet", "--ms", "500");
        JsonNode latency = quiet.process.get("runqueue_latency_us");
        long sleeps = quiet.truth("sleeps");
        System.err.printf("quiet: report %s%n  truth: sleeps %d, voluntary %d, involuntary %d, wait %d us%n",
                quiet.process, sleeps, quiet.truth("voluntary_switches"), quiet.truth("involuntary_switches"),
                quiet.truth("runqueue_wait_ns") / 1000);

        // One wakeup per sleep, plus a few for thread start-up, the barrier and the main thread's join.
        assertThat(sleeps).isGreaterThan(100);
        assertThat(latency.get("count").asLong()).isBetween(sleeps, sleeps + 30);
        assertThat(quiet.process.get("context_switches").asLong() - quiet.process.get("involuntary_switches").asLong())
                .isBetween(sleeps, sleeps + 30);
        // Off CPU: the sleeps, and the main thread waiting in pthread_join.
        long wallNs = quiet.workload.get("end_monotonic_ns").asLong() - quiet.workload.get("start_monotonic_ns").asLong();
        double expectedMs = (2 * wallNs - quiet.truth("cpu_ns")) / 1e6;
        assertThat(quiet.process.get("off_cpu_ms").asDouble()).isCloseTo(expectedMs, within(0.1 * expectedMs + 20));
        // An idle-ish machine runs a woken thread within tens of µs; allow for a loaded CI box.
        assertThat(latency.get("p50").asLong()).isLessThan(1000);
        // At least the sleeping thread's own run-queue wait (schedstat); the few extra waits (main thread, the
        // shell before exec, the resumptions after aiscope stopped the process at its library loads while it
        // probed them) may add up to the max each.
        long waitUs = quiet.truth("runqueue_wait_ns") / 1000;
        long sumUs = Math.round(latency.get("mean").asDouble() * latency.get("count").asLong());
        long extra = latency.get("count").asLong() - sleeps;
        // Plus up to 10 ms for a loaded machine running aiscope's JVM beside the resumed process.
        assertThat(sumUs).isBetween(waitUs * 8 / 10, waitUs + (extra + 1) * latency.get("max").asLong() + 10_000);
    }

    /** Runs busy with {@code args}, traced from its first instruction, and returns the sched report. */
    static Traced trace(String... args) throws Exception {
        try (Session session = new Session(new AgentLog(System.err, false), new ProcessNames(100))) {
            session.load(Families.create(List.of("sched")));
            SchedFamily sched = session.families().stream().filter(SchedFamily.class::isInstance)
                    .map(SchedFamily.class::cast).findFirst().orElseThrow();
            session.start(false);
            // The shell stops itself, is traced, then execs busy under the same pid.
            List<String> command = new ArrayList<>(List.of("sh", "-c", "kill -STOP $$; exec \"$0\" \"$@\"",
                    busy.toString()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int pid = (int) process.pid();
            awaitStopped(pid);
            session.trace(pid);
            run("kill", "-CONT", Integer.toString(pid));
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor()).isZero();
            session.drain();

            ObjectNode section = JSON.createObjectNode();
            sched.report(section, session.names());
            JsonNode workload = JSON.readTree(output);
            assertThat(workload.get("pid").asInt()).isEqualTo(pid);
            JsonNode mine = null;
            for (JsonNode p : section.get("processes")) {
                if (p.get("pid").asInt() == pid) {
                    mine = p;
                }
            }
            assertThat(mine).as("sched report for pid %d: %s", pid, section).isNotNull();
            assertThat(sched.topRows()).anySatisfy(r -> assertThat(r.pid()).isEqualTo(pid));
            return new Traced(mine, section, workload);
        }
    }

    static void awaitStopped(int pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        for (int i = 0; i < 500; i++) {
            String s = Files.readString(stat);
            if (s.charAt(s.lastIndexOf(')') + 2) == 'T') {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("process " + pid + " did not stop");
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
    }
}
