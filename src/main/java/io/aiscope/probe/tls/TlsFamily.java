package io.aiscope.probe.tls;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfObject;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.aiscope.probe.http.HttpReport;
import io.aiscope.probe.http.HttpStats;
import io.aiscope.probe.http.HttpStreams;
import io.aiscope.probe.http.RequestFields;
import io.aiscope.target.ProcessMaps;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.x over TLS, read from OpenSSL's plaintext (tls.bpf.c) by the same parser as the http family's socket
 * bytes: requests with the same figures and decomposition, marked TLS; handshake latency per process; and the TLS
 * stacks of traced processes it cannot see into ({@link UnseenTls}).
 */
public final class TlsFamily implements ProbeFamily {
    private static final int RING_BYTES = 16 << 20;

    /** A TLS stream: an SSL of a process (SSL pointers are reused after SSL_free, which ends the stream). */
    private record StreamKey(int pid, long ssl) {}

    private final HttpStats stats = new HttpStats();
    private final Handshakes handshakes = new Handshakes();
    private final UnseenTls unseen = new UnseenTls();
    private TlsEventLayout layout;
    private FamilyContext context;
    private HttpStreams<StreamKey> streams;

    @Override
    public String name() {
        return "tls";
    }

    @Override
    public String summary() {
        return "HTTP/1.x over TLS from OpenSSL's plaintext (libssl, node): requests as http sees them, handshake"
                + " latency; TLS it cannot see (Java, Go, GnuTLS, NSS) listed";
    }

    @Override
    public void beforeLoad(BpfObject object, Kernel kernel) {
        object.map("events").setMaxEntries(RING_BYTES);
    }

    @Override
    public void start(FamilyContext context) {
        this.context = context;
        BpfObject object = context.object();
        layout = new TlsEventLayout(object);
        streams = new HttpStreams<>(name(), true, context, stats);
        object.programs().stream().filter(p -> p.autoload() && !p.isUprobe())
                .forEach(context::attachOrReport);
        context.probeLibraries(List.of(TlsFunction.plan(name(), object)));
    }

    @Override
    public void onEvent(MemorySegment e) {
        int pid = layout.tgid(e);
        StreamKey key = new StreamKey(pid, layout.ssl(e));
        switch (layout.kind(e)) {
            case TlsEventLayout.DATA -> streams.data(key, pid, layout.sock(e), layout.localPort(e),
                    layout.remotePort(e), layout.firstData(e), layout.socketIo(e));
            case TlsEventLayout.FREE -> {
                if (layout.handshakeUnfinished(e)) {
                    handshakes.unfinished(pid);
                }
                streams.closed(key, layout.tsNs(e), false);
            }
            case TlsEventLayout.HANDSHAKE -> {
                handshakes.completed(pid, layout.durationNs(e));
                if (context.wantsEvents()) {
                    context.events().accept(new TraceEvent(name(), "handshake", layout.tsNs(e), pid, layout.tid(e),
                            Map.of("duration_ms", RequestFields.ms(layout.durationNs(e)),
                                    "local_port", layout.localPort(e), "remote_port", layout.remotePort(e))));
                }
            }
            default -> throw new IllegalArgumentException("unknown tls event kind " + layout.kind(e));
        }
    }

    @Override
    public void processMapped(int pid, ProcessMaps maps) {
        unseen.scan(pid, maps);
    }

    @Override
    public void eventsRead() {
        streams.eventsRead();
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new HttpReport(stats).write(section, names, streams == null ? 0 : streams.inFlight());
        section.put("streams", streams == null ? 0 : streams.opened());
        handshakes.write(section.putObject("handshakes"), names);
        ArrayNode list = section.putArray("unseen");
        for (UnseenTls.Finding f : unseen.findings()) {
            ObjectNode o = list.addObject();
            o.put("pid", f.pid());
            o.put("comm", names.comm(f.pid()));
            o.put("library", f.library());
            o.put("reason", f.reason());
        }
        section.put("unseen_processes_not_listed", unseen.processesNotListed());
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        streams.registerMetrics(registry, names);
    }

    /** The view the live {@code requests} command reads. */
    public HttpStats stats() {
        return stats;
    }

    /** The OpenSSL functions the family probes (doctor looks for them). */
    public static java.util.Set<String> probedFunctions() {
        return TlsFunction.names();
    }
}
