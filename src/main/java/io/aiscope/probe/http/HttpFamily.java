package io.aiscope.probe.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.correlate.Decomposer;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * HTTP/1.x requests of traced processes, server and client side, from the bytes of their socket calls (see
 * http.bpf.c): per-request latency, time to first token and streamed tokens of LLM APIs, each request decomposed
 * into what the scheduler, the CUDA runtime and TCP did meanwhile.
 *
 * <p>A request is correlated one ring pass after it ended ({@link #eventsRead()}): by then the CUDA calls and
 * retransmits that happened before its end have arrived from their own rings.
 */
public final class HttpFamily implements ProbeFamily {
    private static final int RING_BYTES = 16 << 20;
    /** Connections followed at once; the least recently active beyond this are dropped (and counted). */
    private static final int MAX_CONNECTIONS = 65_536;
    private static final int ROUTES_PER_PROCESS = 200;
    /** Run-queue waits shorter than this are not sent as single events (record, trace). */
    private static final int MIN_RUNQ_WAIT_EVENT_US = 50;
    /** How often connections are counted for the in-flight figure (a walk over all of them). */
    private static final long IN_FLIGHT_COUNT_NS = 200_000_000L;

    private final HttpStats stats = new HttpStats();
    private final Map<Long, HttpConnection> connections = new LinkedHashMap<>(1024, 0.75f, true);
    private final Map<Integer, RouteTemplates> routesByProcess = new HashMap<>();
    private volatile Set<Integer> onlyPorts = Set.of();
    private List<Ended> endedThisPass = new ArrayList<>();
    private List<Ended> endedLastPass = new ArrayList<>();
    private HttpEventLayout layout;
    private FamilyContext context;
    private Decomposer decomposer;
    private volatile HttpMetrics metrics;
    private long nextId = 1;
    private final List<String> missingTracepoints = new ArrayList<>();
    /** Connections with a request begun and not finished, as of the last count (on the event thread). */
    private volatile long inFlight;
    private long inFlightCountedNs;

    /** An exchange waiting for its correlation, with its connection's ports. */
    private record Ended(HttpExchange exchange, int localPort, int remotePort) {}

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
        decomposer = new Decomposer(context.activity());
        context.activity().want();
        missingTracepoints.forEach(p -> context.log().unavailable("http/" + p, "this kernel has no such tracepoint"));
        layout.writeSettings(object.map("http_settings"), context.wantsEvents(), MIN_RUNQ_WAIT_EVENT_US);
        object.programs().stream().filter(BpfProgram::autoload).forEach(context::attachOrReport);
    }

    @Override
    public void onEvent(MemorySegment e) {
        switch (layout.kind(e)) {
            case HttpEventLayout.DATA -> data(e);
            case HttpEventLayout.CLOSE -> closed(layout.sock(e), layout.tsNs(e), layout.peerReset(e));
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
        onlyPorts = Set.copyOf(wanted);
    }

    private void data(MemorySegment e) {
        long sock = layout.sock(e);
        HttpConnection c = connections.get(sock);
        if (c != null && c.pid() != layout.tgid(e)) {
            // The socket's memory now holds another process's connection: the old one's end was never seen.
            connections.remove(sock).close(layout.tsNs(e));
            c = null;
        }
        if (c == null && layout.bytes(e) <= 0) {
            return; // an error or end of stream on a connection not followed (left out, or evicted)
        }
        if (c == null) {
            Set<Integer> only = onlyPorts;
            if (!only.isEmpty() && !only.contains(layout.localPort(e)) && !only.contains(layout.remotePort(e))) {
                return; // checked again at its next call: cheaper than remembering it
            }
            int pid = layout.tgid(e);
            int localPort = layout.localPort(e), remotePort = layout.remotePort(e);
            c = new HttpConnection(pid, sock, layout.firstData(e),
                    routesByProcess.computeIfAbsent(pid, p -> new RouteTemplates(ROUTES_PER_PROCESS)),
                    x -> endedThisPass.add(new Ended(x, localPort, remotePort)));
            connections.put(sock, c);
            evictIfFull(layout.tsNs(e));
        }
        if (c.state() == HttpConnection.State.NOT_HTTP || c.state() == HttpConnection.State.UPGRADED) {
            return;
        }
        long errorsBefore = c.parseErrors();
        c.accept(layout.socketIo(e));
        if (c.parseErrors() != errorsBefore) {
            stats.parseErrors(c.parseErrors() - errorsBefore);
        }
        if (c.state() == HttpConnection.State.NOT_HTTP) {
            stats.nonHttpConnection();
        }
    }

    private void evictIfFull(long nowNs) {
        if (connections.size() > MAX_CONNECTIONS) {
            var eldest = connections.entrySet().iterator();
            var evicted = eldest.next();
            eldest.remove();
            evicted.getValue().close(nowNs); // its exchanges under way end as CLOSED
            stats.connectionEvicted();
        }
    }

    private void closed(long sock, long tsNs, boolean peerReset) {
        HttpConnection c = connections.remove(sock);
        if (c != null && peerReset) {
            c.peerReset(tsNs);
        } else if (c != null) {
            c.close(tsNs);
        }
    }

    @Override
    public void eventsRead() {
        List<Ended> ready = endedLastPass;
        endedLastPass = endedThisPass;
        endedThisPass = new ArrayList<>();
        for (Ended ended : ready) {
            HttpExchange x = ended.exchange();
            TracedRequest r = new TracedRequest(nextId++, x, ended.localPort(), ended.remotePort(), decomposer.decompose(x));
            stats.add(r);
            if (metrics != null) {
                metrics.observe(x);
            }
            context.requests().accept(r);
            if (context.wantsEvents()) {
                context.events().accept(new TraceEvent(name(), "request", x.startNs(), x.pid(), x.startTid(),
                        RequestFields.of(r)));
            }
        }
        long now = System.nanoTime();
        if (now - inFlightCountedNs > IN_FLIGHT_COUNT_NS) {
            inFlightCountedNs = now;
            inFlight = connections.values().stream().filter(HttpConnection::inFlight).count();
        }
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new HttpReport(stats).write(section, names, inFlight);
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        metrics = new HttpMetrics(registry, names);
    }

    /** The view the live {@code requests} command reads. */
    public HttpStats stats() {
        return stats;
    }
}
