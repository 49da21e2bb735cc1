package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfException;
import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * HTTP/1.x requests of traced processes, server and client side, from the bytes of their socket calls (see
 * http.bpf.c): per-request latency, time to first token and streamed tokens of LLM APIs, each request decomposed
 * into what the scheduler, the CUDA runtime and TCP did meanwhile. The connections are {@link HttpStreams} keyed
 * by socket. A connection the parser gives up on (not HTTP, or upgraded to another protocol) is handed to the kernel
 * by its socket cookie, in {@code skip_socks}: its later calls are neither copied nor sent.
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
    private BpfMap skipSocks;
    /** skip_socks' key and value, reused: written on the event thread alone. */
    private final MemorySegment skipKey = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment skipValue = Arena.ofAuto().allocateFrom(ValueLayout.JAVA_BYTE, (byte) 1);
    private BpfMap skippedCallsMap;
    /** Socket calls read from the ring (data records); written by the event thread alone. */
    private volatile long callsRead;
    /** Calls the kernel skipped (skipped_calls), as of the last collect(). */
    private volatile long skippedCalls;
    /** Connections the kernel could not be told to skip (their calls keep coming, and are ignored here). */
    private volatile long skipFailures;

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
        skipSocks = object.map("skip_socks");
        skippedCallsMap = object.map("skipped_calls");
        connections = new HttpStreams<>(name(), false, context, stats);
        connections.onlyPorts(onlyPorts);
        missingTracepoints.forEach(p -> context.log().unavailable("http/" + p, "this kernel has no such tracepoint"));
        layout.writeSettings(object.map("http_settings"), context.wantsEvents(), MIN_RUNQ_WAIT_EVENT_US);
        object.programs().stream().filter(BpfProgram::autoload).forEach(context::attachOrReport);
    }

    @Override
    public void onEvent(MemorySegment e) {
        switch (layout.kind(e)) {
            case HttpEventLayout.DATA -> {
                callsRead++;
                if (connections.data(layout.sock(e), layout.tgid(e), layout.sock(e), layout.localPort(e),
                        layout.remotePort(e), layout.firstData(e), layout.socketIo(e))) {
                    skip(layout.cookie(e));
                }
            }
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

    /** Has the kernel skip the connection's calls from now on (those already in the ring still come, ignored). */
    private void skip(long cookie) {
        skipKey.set(ValueLayout.JAVA_LONG, 0, cookie);
        try {
            skipSocks.update(skipKey, skipValue);
        } catch (BpfException failed) {
            if (skipFailures++ == 0) { // one writer: the event thread
                context.log().warn("http: cannot have the kernel skip a connection that is not HTTP: " + failed.getMessage());
            }
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
    public void collect() {
        if (skippedCallsMap != null) {
            skippedCalls = skippedCallsMap.sumPerCpu(0);
        }
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new HttpReport(stats).write(section, names, connections == null ? 0 : connections.inFlight());
        section.put("calls_read", callsRead);
        section.put("skipped_calls", skippedCalls);
        section.put("skip_failures", skipFailures);
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
