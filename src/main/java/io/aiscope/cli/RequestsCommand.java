package io.aiscope.cli;

import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.Session;
import io.aiscope.output.otlp.OtlpRequestExporter;
import io.aiscope.output.RequestTable;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.probe.http.HttpFamily;
import io.aiscope.probe.http.HttpStats;
import io.aiscope.probe.tls.TlsFamily;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "requests", mixinStandardHelpOptions = true,
        description = {"A live view of the HTTP requests traced processes serve (and make), plain or over TLS (OpenSSL): per route the request rate,"
                + " errors, latency p50/p95/p99, time to first token p50/p99 and tokens/s over the last --window; then"
                + " the slowest of those requests with where their time went. Ctrl-C ends it."})
final class RequestsCommand implements Callable<Integer> {

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Option(names = "--port", paramLabel = "N",
            description = "Only connections with this local or remote port (a server's listening port, or a service it calls)")
    List<Integer> ports = List.of();

    @Mixin
    LiveViewOptions view;

    @Option(names = "--window", paramLabel = "S", defaultValue = "10",
            description = "Seconds of recent requests each refresh summarises (default ${DEFAULT-VALUE})")
    double windowSeconds;

    @Mixin
    OtlpOptions otlpOptions;

    @Override
    public Integer call() {
        view.check();
        if (!(windowSeconds > 0)) {
            throw new AiscopeException("--window must be positive");
        }
        for (int port : ports) {
            if (port < 1 || port > 65535) {
                throw new AiscopeException("--port must be 1-65535, got " + port);
            }
        }
        targets.check();
        if (!options.probes.isEmpty() && !options.probes.contains("http") && !options.probes.contains("tls")) {
            throw new AiscopeException("requests needs the http or tls probe family (add them to --probes)");
        }
        Duration interval = view.interval();
        long windowNs = (long) (windowSeconds * 1e9);
        boolean screen = view.screen();
        PrintStream out = System.out;
        try (StopSignal stop = StopSignal.install(); OtlpRequestExporter otlp = otlpOptions.open();
             Session session = options.openSession()) {
            OtlpOptions.exportFrom(session, otlp);
            List<HttpStats> sources = new ArrayList<>();
            for (ProbeFamily f : session.families()) {
                if (f instanceof HttpFamily http) {
                    http.onlyPorts(ports); // left out in the kernel's wake already, for less work
                    sources.add(http.stats());
                } else if (f instanceof TlsFamily tls) {
                    sources.add(tls.stats());
                }
            }
            if (sources.isEmpty()) {
                throw new AiscopeException("neither the http nor the tls probe family could be loaded: see aiscope doctor");
            }
            targets.start(session);
            System.err.printf("aiscope: watching the HTTP requests of %s%s; Ctrl-C to stop%n", targets.describe(),
                    ports.isEmpty() ? "" : " on port " + ports);
            for (int i = 0; view.more(i); i++) {
                if (stop.await(interval)) {
                    break;
                }
                long now = System.nanoTime();
                List<TracedRequest> requests = new ArrayList<>();
                long traced = 0;
                for (HttpStats stats : sources) {
                    traced += stats.requests();
                    for (TracedRequest r : stats.recent(now - windowNs)) {
                        if (ports.isEmpty() || ports.contains(r.localPort()) || ports.contains(r.remotePort())) {
                            requests.add(r);
                        }
                    }
                }
                requests.sort(java.util.Comparator.comparingLong(r -> r.exchange().endNs()));
                String title = String.format("aiscope requests — %s — %s%s — last %s s — %d requests traced, %d events lost%n",
                        LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), targets.describe(),
                        ports.isEmpty() ? "" : " port " + ports, io.aiscope.output.Table.number(windowSeconds),
                        traced, session.stats().dropped());
                out.print((screen ? LiveViewOptions.CLEAR : i > 0 ? "\n" : "") + title + RequestTable.render(requests, windowSeconds, session.names()));
                out.flush();
            }
            session.drain();
            OtlpOptions.finish(otlp);
            return 0;
        }
    }
}
