package io.aiscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.agents.AgentCorrelator;
import io.aiscope.agents.AgentTurn;
import io.aiscope.agents.LlmReport;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Launcher;
import io.aiscope.engine.Session;
import io.aiscope.output.AgentChains;
import io.aiscope.output.otlp.OtlpRequestExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "agents", mixinStandardHelpOptions = true,
        description = {"A live view of the LLM API calls traced processes make (provider, model, tokens, time to first"
                + " token, latency, status), plain HTTP or TLS through OpenSSL, each followed by what its process tree"
                + " did next: commands run, files written, connections made.",
                "Watch running processes with -p, or launch COMMAND (after --): then the view ends when it exits, and"
                        + " aiscope exits with its exit code. Ctrl-C ends it."})
final class AgentsCommand implements Callable<Integer> {
    /** Calls a refresh shows, the newest: older ones scroll off (the run report has them all). */
    private static final int CALLS_SHOWN = 12;

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Mixin
    LiveViewOptions view;

    @Mixin
    OtlpOptions otlpOptions;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "A command to launch and trace, after --")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        view.check();
        if (!command.isEmpty() && !targets.all()) {
            throw new AiscopeException("give either -p PID or a command to launch, not both");
        }
        targets.check();
        if (!options.probes.isEmpty() && !options.probes.contains("http") && !options.probes.contains("tls")) {
            throw new AiscopeException("agents needs the tls or http probe family (add them to --probes)");
        }
        Duration interval = view.interval();
        boolean screen = view.screen();
        try (StopSignal stop = StopSignal.install(); OtlpRequestExporter otlp = otlpOptions.open();
             Session session = options.openSession()) {
            OtlpOptions.exportFrom(session, otlp);
            Process launched = null;
            String what;
            if (command.isEmpty()) {
                targets.start(session);
                what = targets.describe();
            } else {
                session.start(false);
                launched = Launcher.startStopped(command, false);
                session.trace((int) launched.pid());
                Launcher.resume(launched);
                what = String.join(" ", command);
            }
            System.err.printf("aiscope: watching the LLM calls of %s; Ctrl-C to stop%n", what);
            PrintStream out = System.out;
            for (int i = 0; view.more(i); i++) {
                boolean stopped = launched != null ? awaitExit(launched, stop, interval) : stop.await(interval);
                if (stopped) {
                    break;
                }
                if (screen || launched == null) {
                    out.print((screen ? LiveViewOptions.CLEAR : i > 0 ? "\n" : "") + view(session, what));
                    out.flush();
                }
            }
            session.drain();
            if (launched != null) {
                out.print((screen ? LiveViewOptions.CLEAR : "") + view(session, what));
                out.flush();
            }
            OtlpOptions.finish(otlp);
            return launched != null && !launched.isAlive() ? launched.exitValue() : 0;
        }
    }

    /** Waits one interval; true when the launched command has exited or Ctrl-C came. */
    private static boolean awaitExit(Process launched, StopSignal stop, Duration interval) {
        try {
            if (launched.waitFor(interval.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            return true;
        }
        return stop.await(Duration.ZERO);
    }

    private static String view(Session session, String what) {
        AgentCorrelator agents = session.agents();
        List<AgentTurn> turns = agents.turns(Long.MIN_VALUE);
        long errors = turns.stream().filter(t -> t.call().isError()).count();
        List<JsonNode> shown = new ArrayList<>();
        for (AgentTurn t : turns.subList(Math.max(0, turns.size() - CALLS_SHOWN), turns.size())) {
            shown.add(LlmReport.call(t, session.names()));
        }
        String title = String.format("aiscope agents — %s — %s — %d LLM calls, %d errors, %d events lost%n",
                LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), what, agents.callsSeen(), errors,
                session.stats().dropped());
        return title + (shown.isEmpty() ? "(no LLM call yet)\n" : AgentChains.render(shown));
    }
}
