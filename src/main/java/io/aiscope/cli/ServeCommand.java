package io.aiscope.cli;

import io.aiscope.agents.LlmMetrics;
import io.aiscope.engine.AiscopeException;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.Session;
import io.aiscope.output.otlp.OtlpRequestExporter;
import io.aiscope.output.AgentMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the traced processes' metrics for Prometheus (OpenMetrics) at http://HOST:PORT/metrics.",
                "Listens on 127.0.0.1 unless --listen says otherwise; runs until SIGINT or SIGTERM."})
final class ServeCommand implements Callable<Integer> {
    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([^:\\[\\]]+)):(\\d{1,5})");

    @Mixin
    ProbeOptions options;

    @Mixin
    TargetOptions targets;

    @Mixin
    OtlpOptions otlpOptions;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            description = "Address to serve on (default ${DEFAULT-VALUE}); 0.0.0.0:PORT exposes the metrics to the network")
    String listen;

    record Address(String host, int port) {
        static Address parse(String value) {
            Matcher m = LISTEN.matcher(value.strip());
            int port = m.matches() ? Integer.parseInt(m.group(3)) : -1;
            if (port < 0 || port > 65535) {
                throw new AiscopeException("bad --listen value '" + value + "': expected HOST:PORT, e.g. 127.0.0.1:9464");
            }
            return new Address(m.group(1) != null ? m.group(1) : m.group(2), port);
        }

        String url(int boundPort) {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort + "/metrics";
        }
    }

    @Override
    public Integer call() {
        Address address = Address.parse(listen);
        targets.check();
        PrometheusRegistry registry = new PrometheusRegistry();
        // Bound first, so a port in use fails at once; metrics are registered once the probes run.
        try (StopSignal stop = StopSignal.install(); OtlpRequestExporter otlp = otlpOptions.open();
             HTTPServer server = bind(address, registry); Session session = options.openSession()) {
            OtlpOptions.exportFrom(session, otlp);
            targets.start(session);
            for (ProbeFamily family : session.families()) {
                family.registerMetrics(registry, session.names());
            }
            AgentMetrics.register(registry, session::stats);
            LlmMetrics.register(registry, session);
            System.err.printf("aiscope: serving metrics of %s at %s; Ctrl-C to stop%n", targets.describe(),
                    address.url(server.getPort()));
            stop.await(null);
            server.close(); // before the session closes: no scrape may read a closed session
            session.drain();
            OtlpOptions.finish(otlp);
            return 0;
        }
    }

    private static HTTPServer bind(Address address, PrometheusRegistry registry) {
        try {
            return HTTPServer.builder().hostname(address.host()).port(address.port()).registry(registry).buildAndStart();
        } catch (BindException e) {
            throw new AiscopeException("cannot listen on " + address.host() + ":" + address.port() + ": "
                    + (e.getMessage() == null ? "address in use or not available" : e.getMessage().toLowerCase()));
        } catch (IOException | RuntimeException e) {
            throw new AiscopeException("cannot listen on " + address.host() + ":" + address.port() + ": " + e.getMessage());
        }
    }
}
