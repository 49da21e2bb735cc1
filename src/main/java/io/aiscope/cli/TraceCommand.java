package io.aiscope.cli;

import io.aiscope.engine.AgentStats;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Families;
import io.aiscope.engine.Session;
import io.aiscope.engine.TraceEvent;
import io.aiscope.output.EventPrinter;
import io.aiscope.output.TraceLines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Print each event as it happens, one per line: CUDA calls, process forks/execs/exits, ...",
                "Runs until Ctrl-C or --duration; a summary (events shown and dropped) goes to stderr."})
final class TraceCommand implements Callable<Integer> {
    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Option(names = "--comm", paramLabel = "NAME", description = "Only events of processes with this command name")
    String comm;

    @Option(names = "--family", paramLabel = "F",
            description = "Only events of this family (repeatable; proc or a probe family). Without --probes, also loads only these")
    List<String> familyFilter = new ArrayList<>();

    @Option(names = "--json", description = "One JSON object per line (NDJSON) instead of columns")
    boolean json;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after S seconds (default: at Ctrl-C)")
    Double durationSeconds;

    @Override
    public Integer call() {
        Duration duration = durationSeconds == null ? null : Duration.ofNanos((long) (durationSeconds * 1e9));
        if (duration != null && !duration.isPositive()) {
            throw new AiscopeException("--duration must be positive");
        }
        selectFamilies();
        targets.check();
        try (StopSignal stop = StopSignal.install(); Session session = options.openSession()) {
            long origin = System.nanoTime();
            TraceLines lines = json ? TraceLines.json(session.names()::comm) : TraceLines.text(origin, session.names()::comm);
            EventPrinter printer = new EventPrinter(System.out, lines::format, EventPrinter.DEFAULT_CAPACITY, stop::stop);
            Predicate<TraceEvent> wanted = wanted(lines);
            session.onEvent(e -> {
                if (wanted.test(e)) {
                    printer.accept(e);
                }
            });
            lines.header().ifPresent(System.out::println);
            targets.start(session);
            System.err.printf("aiscope: tracing %s%s; Ctrl-C to stop%n", targets.describe(),
                    duration == null ? "" : " for " + durationSeconds + " s");
            stop.await(duration);
            session.drain();
            AgentStats stats = session.stats();
            printer.close();
            System.err.printf("aiscope: %d events shown, %d dropped in kernel (ring buffer full), %d dropped in queue (output too slow)%n",
                    printer.shown(), stats.dropped(), printer.dropped());
            return 0;
        }
    }

    /** --family restricts what is shown and, unless --probes says otherwise, what is loaded. */
    private void selectFamilies() {
        for (String f : familyFilter) {
            if (!f.equals("proc") && !Families.names().contains(f)) {
                throw new AiscopeException("unknown family '" + f + "' (known: proc, " + String.join(", ", Families.names()) + ")");
            }
        }
        List<String> probeFamilies = familyFilter.stream().filter(f -> !f.equals("proc")).toList();
        if (options.probes.isEmpty() && !probeFamilies.isEmpty()) {
            options.probes = probeFamilies; // the session loads proc anyway
        }
    }

    private Predicate<TraceEvent> wanted(TraceLines lines) {
        Predicate<TraceEvent> p = e -> true;
        if (!familyFilter.isEmpty()) {
            p = p.and(e -> familyFilter.contains(e.family()));
        }
        if (comm != null) {
            p = p.and(e -> comm.equals(lines.comm(e)));
        }
        return p;
    }
}
