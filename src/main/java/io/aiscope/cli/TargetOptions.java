package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Session;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** Which running processes a live command (trace, top, serve) watches: the -p PIDs and their descendants, or all. */
final class TargetOptions {
    @Option(names = {"-p", "--pid"}, paramLabel = "PID",
            description = "Trace this process and its descendants, present and future (repeatable); default: every process")
    List<Integer> pids = new ArrayList<>();

    /** Fails before any BPF is loaded when a PID names no process. */
    void check() {
        for (int pid : pids) {
            if (pid <= 0 || ProcessHandle.of(pid).isEmpty()) {
                throw new AiscopeException("no process with PID " + pid);
            }
        }
    }

    boolean all() {
        return pids.isEmpty();
    }

    /** Starts {@code session} on the chosen processes; probes are attached when this returns. */
    void start(Session session) {
        session.start(all());
        pids.forEach(session::trace);
    }

    /** How the chosen processes read in a status line. */
    String describe() {
        return all() ? "all processes" : "PID " + String.join(", ", pids.stream().map(String::valueOf).toList());
    }
}
