package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.x requests of traced processes, server and client side, from the bytes of their socket calls (see
 * http.bpf.c): per-request latency, time to first token and streamed tokens of LLM APIs, each request decomposed
 * into what the scheduler, the CUDA runtime and TCP did meanwhile. The connections are {@link HttpStreams} keyed
 * by socket.
 */
public final class HttpFamily implements ProbeFamily {
    private static final int RING_BYTES = 16 << 20;
    /** Run-queue waits shorter than this are not sent as single events (record, trace). */
    private static final int MIN_RUNQ_WAIT_EVENT_US = 50;

    private final HttpStats stats = new HttpStats();
    private HttpEventLayout layout;
    private FamilyContext context;
    private HttpStreams<Long> connections;
    /** Ports asked for before the family started (the requests command's --port). */
    private Collection<Integer> onlyPorts = List.of();
    private final List<String> missingTracepoints = new ArrayList<>();

    @Override
    public String name() {
        return "http";
    }

    @Override
    public String summary() {
        return "HTTP/1.x: per-request latency, time to first token and tokens of streamed (SSE) LLM responses, decomposed";
    }

    /** Without tcp_sendmsg_locked (before 6.3) a send is timed at its end; without sock_*_length nothing works. */
    @Override
    public void beforeLoad(BpfObject object, Kernel kernel) {
        object.map("events").setMaxEntries(RING_BYTES);
        missingTracepoints.addAll(kernel.leaveOutMissingTracepoints(object));
    }

    @Override
    public void start(FamilyContext context) {
        this.context = context;
        BpfObject object = context.object();
        layout = new HttpEventLayout(object);
        connections = new HttpStreams<>(name(), false, context, stats);
        connections.onlyPorts(onlyPorts);
        missingTracepoints.forEach(p -> context.log().unavailable("http/" + p, "this kernel has no such tracepoint"));
        layout.writeSettings(object.map("http_settings"), context.wantsEvents(), MIN_RUNQ_WAIT_EVENT_US);
        object.programs().stream().filter(BpfProgram::autoload).forEach(context::attachOrReport);
    }

    @Override
    public void onEvent(MemorySegment e) {
        switch (layout.kind(e)) {
            case HttpEventLayout.DATA -> connections.data(layout.sock(e), layout.tgid(e), layout.sock(e),
                    layout.localPort(e), layout.remotePort(e), layout.firstData(e), layout.socketIo(e));
            case HttpEventLayout.CLOSE -> connections.closed(layout.sock(e), layout.tsNs(e), layout.peerReset(e));
            case HttpEventLayout.RUNQ_WAIT -> {
                if (context.wantsEvents()) {
                    context.events().accept(new TraceEvent("sched", "runq_wait", layout.tsNs(e), layout.tgid(e),
                            layout.tid(e), Map.of("duration_us", layout.bytes(e) / 1000.0)));
                }
            }
            default -> throw new IllegalArgumentException("unknown http event kind " + layout.kind(e));
        }
    }

    /** Follows only connections with one of these local or remote ports; all when empty. */
    public void onlyPorts(Collection<Integer> wanted) {
        onlyPorts = List.copyOf(wanted);
        if (connections != null) {
            connections.onlyPorts(onlyPorts);
        }
    }

    @Override
    public void eventsRead() {
        connections.eventsRead();
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new HttpReport(stats).write(section, names, connections == null ? 0 : connections.inFlight());
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        connections.registerMetrics(registry, names);
    }

    /** The view the live {@code requests} command reads. */
    public HttpStats stats() {
        return stats;
    }
}
