package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import picocli.CommandLine.Option;

import java.time.Duration;

/** How a live view refreshes (top, requests, agents): every --interval, on a terminal's screen or as plain text. */
final class LiveViewOptions {
    /** Clears a terminal and puts the cursor home: each refresh replaces the last. */
    static final String CLEAR = "\033[H\033[2J";

    @Option(names = "--interval", paramLabel = "S", defaultValue = "1", description = "Seconds between refreshes (default ${DEFAULT-VALUE})")
    double intervalSeconds;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Print N views, one per interval, then exit; plain text without screen control")
    Integer iterations;

    void check() {
        if (!(intervalSeconds > 0)) {
            throw new AiscopeException("--interval must be positive");
        }
        if (iterations != null && iterations < 1) {
            throw new AiscopeException("--iterations must be at least 1");
        }
    }

    Duration interval() {
        return Duration.ofNanos((long) (intervalSeconds * 1e9));
    }

    /** Whether views replace each other on a terminal (no --iterations, and stdout is one). */
    boolean screen() {
        return iterations == null && System.console() != null && System.console().isTerminal();
    }

    /** Whether view number {@code i} (from 0) is still to be printed. */
    boolean more(int i) {
        return iterations == null || i < iterations;
    }
}
