package io.aiscope.workloads;

import io.aiscope.workloads.client.Options;
import io.aiscope.workloads.client.Run;
import io.aiscope.workloads.client.SocketWarmUp;
import io.aiscope.workloads.client.Scenario;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.ExecutionException;

/**
 * The model server's load client, a test workload for aiscope: plain HTTP/1.1 over its own sockets, so that
 * keep-alive, pipelining and timing are exactly what the scenario says, each request timed with
 * {@link System#nanoTime()}. Writes one JSON object per request (NDJSON) to --out or stdout (the load scenario:
 * only to --out, and a summary line on stdout). Exits 0 when every request came out as its scenario expects.
 */
public final class LoadClient {
    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        Options options;
        Scenario scenario;
        try {
            options = Options.parse(args);
            scenario = Scenario.named(options.scenario());
        } catch (IllegalArgumentException e) {
            System.err.println("load-client: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        SocketWarmUp.run();
        Run run = new Run(options);
        try {
            scenario.run(run);
        } catch (Exception e) {
            // A scenario stops only when it cannot go on (typically: no server to connect to).
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            System.err.println("load-client: scenario " + options.scenario() + " aborted: " + cause);
            System.exit(1);
        }
        if (options.out() != null) {
            try (PrintStream out = new PrintStream(Files.newOutputStream(options.out()))) {
                run.writeRecords(out);
            }
        } else if (!options.scenario().equals("load")) {
            run.writeRecords(System.out);
        }
        run.problems().forEach(p -> System.err.println("load-client: " + p));
        System.exit(run.problems().isEmpty() ? 0 : 1);
    }
}
