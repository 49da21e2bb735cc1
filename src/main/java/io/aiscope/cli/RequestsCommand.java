package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Session;
import io.aiscope.output.otlp.OtlpRequestExporter;
import io.aiscope.output.RequestTable;
import io.aiscope.probe.http.HttpFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "requests", mixinStandardHelpOptions = true,
        description = {"A live view of the HTTP requests traced processes serve (and make): per route the request rate,"
                + " errors, latency p50/p95/p99, time to first token p50/p99 and tokens/s over the last --window; then"
                + " the slowest of those requests with where their time went. Ctrl-C ends it."})
final class RequestsCommand implements Callable<Integer> {
    private static final String CLEAR = "\033[H\033[2J";

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Option(names = "--port", paramLabel = "N",
            description = "Only connections with this local or remote port (a server's listening port, or a service it calls)")
    List<Integer> ports = List.of();

    @Option(names = "--interval", paramLabel = "S", defaultValue = "1", description = "Seconds between refreshes (default ${DEFAULT-VALUE})")
    double intervalSeconds;

    @Option(names = "--window", paramLabel = "S", defaultValue = "10",
            description = "Seconds of recent requests each refresh summarises (default ${DEFAULT-VALUE})")
    double windowSeconds;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Print N views, one per interval, then exit; plain text without screen control")
    Integer iterations;

    @Mixin
    OtlpOptions otlpOptions;

    @Override
    public Integer call() {
        if (!(intervalSeconds > 0) || !(windowSeconds > 0)) {
            throw new AiscopeException("--interval and --window must be positive");
        }
        if (iterations != null && iterations < 1) {
            throw new AiscopeException("--iterations must be at least 1");
        }
        for (int port : ports) {
            if (port < 1 || port > 65535) {
                throw new AiscopeException("--port must be 1-65535, got " + port);
            }
        }
        targets.check();
        if (!options.probes.isEmpty() && !options.probes.contains("http")) {
            throw new AiscopeException("requests needs the http probe family (add it to --probes)");
        }
        Duration interval = Duration.ofNanos((long) (intervalSeconds * 1e9));
        long windowNs = (long) (windowSeconds * 1e9);
        boolean screen = iterations == null && System.console() != null && System.console().isTerminal();
        PrintStream out = System.out;
        try (StopSignal stop = StopSignal.install(); OtlpRequestExporter otlp = otlpOptions.open();
             Session session = options.openSession()) {
            OtlpOptions.exportFrom(session, otlp);
            HttpFamily http = session.families().stream().filter(HttpFamily.class::isInstance)
                    .map(HttpFamily.class::cast).findFirst()
                    .orElseThrow(() -> new AiscopeException("the http probe family could not be loaded: see aiscope doctor"));
            http.onlyPorts(ports);
            targets.start(session);
            System.err.printf("aiscope: watching the HTTP requests of %s%s; Ctrl-C to stop%n", targets.describe(),
                    ports.isEmpty() ? "" : " on port " + ports);
            for (int i = 0; iterations == null || i < iterations; i++) {
                if (stop.await(interval)) {
                    break;
                }
                long now = System.nanoTime();
                var requests = http.stats().recent(now - windowNs);
                String title = String.format("aiscope requests — %s — %s%s — last %s s — %d requests traced, %d events lost%n",
                        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), targets.describe(),
                        ports.isEmpty() ? "" : " port " + ports, io.aiscope.output.Table.number(windowSeconds),
                        http.stats().requests(), session.stats().dropped());
                out.print((screen ? CLEAR : i > 0 ? "\n" : "") + title + RequestTable.render(requests, windowSeconds, session.names()));
                out.flush();
            }
            session.drain();
            OtlpOptions.finish(otlp);
            return 0;
        }
    }
}
