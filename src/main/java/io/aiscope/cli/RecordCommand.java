package io.aiscope.cli;

import io.aiscope.engine.AgentStats;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Launcher;
import io.aiscope.engine.Session;
import io.aiscope.output.perfetto.ChromeTraceRecorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "record", mixinStandardHelpOptions = true,
        description = {"Record a timeline to open in Perfetto (https://ui.perfetto.dev) or chrome://tracing: every event"
                + " (CUDA calls, run-queue waits, process and TCP events) and every HTTP request with its phases, by thread.",
                "With a COMMAND: launch it, record it and its descendants until it exits, and exit with its exit code.",
                "Otherwise (-p PID..., or every process): record until Ctrl-C or --duration."})
final class RecordCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.json",
            description = "Where to write the trace (Chrome Trace Event Format JSON)")
    Path output;

    @Option(names = "--all", description = "Record every process (what -p's absence means too, without a COMMAND)")
    boolean all;

    @Option(names = "--duration", paramLabel = "S", description = "Without a COMMAND: stop after S seconds (default: at Ctrl-C)")
    Double durationSeconds;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "" + ChromeTraceRecorder.DEFAULT_CAPACITY,
            description = "Events held for the file writer; past that, events are dropped and counted (default ${DEFAULT-VALUE})")
    int queue;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command to launch and record, after --")
    List<String> command = new ArrayList<>();

    /** The running session, whose names (kept after processes exit) the file's metadata uses. */
    private Session session;

    @Override
    public Integer call() {
        Duration duration = checkOptions();
        long origin = System.nanoTime();
        // The file first, so that an unwritable one fails before anything is loaded into the kernel. Names are
        // asked for only once events arrive, which is after the session exists.
        try (ChromeTraceRecorder recorder = ChromeTraceRecorder.open(output, origin, pid -> session.names().comm(pid),
                queue);
             StopSignal stop = StopSignal.install()) {
            Integer exitCode;
            AgentStats stats;
            try (Session s = options.openSession()) {
                session = s;
                s.onEvent(recorder::onEvent);
                s.onRequest(recorder::onRequest);
                exitCode = command.isEmpty() ? recordRunning(s, stop, duration) : recordLaunched(s);
                s.drain();
                stats = s.stats();
            }
            // Closed first: closing the session reads the rings to the end, so every event has reached the recorder.
            ChromeTraceRecorder.Summary summary = recorder.finish(otherData(exitCode), stats.dropped());
            report(summary, stats);
            return exitCode == null ? 0 : exitCode;
        }
    }

    /** -p, or every process: until Ctrl-C or --duration. */
    private Integer recordRunning(Session s, StopSignal stop, Duration duration) {
        targets.start(s); // no -p: every process, as --all says
        System.err.printf("aiscope: recording %s to %s%s; Ctrl-C to stop%n", targets.describe(),
                output, duration == null ? "" : " for " + durationSeconds + " s");
        stop.await(duration);
        return null;
    }

    /** -- COMMAND: launched stopped, traced from its first instruction, recorded until it exits. */
    private Integer recordLaunched(Session s) {
        s.start(false);
        Process process = Launcher.startStopped(command, false);
        s.trace((int) process.pid());
        Launcher.resume(process);
        while (true) {
            try {
                // Ctrl-C reaches the command too; StopSignal keeps it from ending aiscope first, so the file is
                // finished once the command has gone.
                return process.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the recording should cover the command's end
            }
        }
    }

    private void report(ChromeTraceRecorder.Summary summary, AgentStats stats) {
        long queueDrops = summary.droppedEvents() + summary.droppedRequests();
        if (stats.dropped() + queueDrops > 0) {
            System.err.printf("aiscope: %d events lost: %d dropped in kernel (ring buffer full), %d dropped in queue"
                    + " (file writer too slow)%n", stats.dropped() + queueDrops, stats.dropped(), queueDrops);
        }
        System.err.printf("aiscope: wrote %d events (%d requests) to %s; open it in https://ui.perfetto.dev%n",
                summary.events(), summary.requests(), summary.file());
    }

    private Duration checkOptions() {
        boolean launch = !command.isEmpty();
        if (launch && (all || !targets.pids.isEmpty())) {
            throw new AiscopeException("give either a COMMAND or -p/--all, not both");
        }
        if (all && !targets.pids.isEmpty()) {
            throw new AiscopeException("give either -p or --all, not both");
        }
        if (durationSeconds != null && launch) {
            throw new AiscopeException("--duration is for -p/--all; with a COMMAND the recording ends when it exits");
        }
        if (durationSeconds != null && !(durationSeconds > 0)) {
            throw new AiscopeException("--duration must be positive");
        }
        if (queue < 1) {
            throw new AiscopeException("--queue must be at least 1");
        }
        if (!launch) {
            targets.check();
        }
        return durationSeconds == null ? null : Duration.ofNanos((long) (durationSeconds * 1e9));
    }

    /** What the file says about its making, in otherData. */
    private Map<String, Object> otherData(Integer exitCode) {
        Map<String, Object> m = new LinkedHashMap<>();
        String version = spec.root().version().length > 0 ? spec.root().version()[0] : "";
        m.put("aiscope_version", version.substring(version.lastIndexOf(' ') + 1));
        List<String> args = new ArrayList<>(List.of("aiscope"));
        args.addAll(spec.commandLine().getParseResult().originalArgs());
        m.put("command", String.join(" ", args));
        m.put("probes", options.names());
        if (exitCode != null) {
            m.put("exit_code", exitCode);
        }
        return m;
    }
}
