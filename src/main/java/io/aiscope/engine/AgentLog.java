package io.aiscope.engine;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * aiscope's own log: what attached, what could not and why, warnings. Kept for the report's agent section;
 * printed as it happens only when verbose, so a traced command's output stays readable.
 */
public final class AgentLog {
    private final PrintStream console;
    private final boolean verbose;
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, String> unavailable = new ConcurrentHashMap<>();

    public AgentLog(PrintStream console, boolean verbose) {
        this.console = console;
        this.verbose = verbose;
    }

    public void info(String message) {
        if (verbose) {
            console.println("aiscope: " + message);
        }
    }

    public synchronized void warn(String message) {
        if (warnings.size() < 1000) {
            warnings.add(message);
        }
        if (verbose) {
            console.println("aiscope: warning: " + message);
        }
    }

    /** A probe that cannot work here, with the reason: reported, never fatal. */
    public void unavailable(String probe, String reason) {
        unavailable.put(probe, reason);
        if (verbose) {
            console.println("aiscope: unavailable: " + probe + ": " + reason);
        }
    }

    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    public Map<String, String> unavailable() {
        return Map.copyOf(unavailable);
    }
}
