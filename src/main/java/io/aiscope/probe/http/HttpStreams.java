package io.aiscope.probe.http;

import io.aiscope.correlate.Decomposer;
import io.aiscope.correlate.TracedRequest;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP/1.x byte streams one family follows (http: TCP connections, keyed by socket; tls: OpenSSL sessions,
 * keyed by process and SSL), each read by its own {@link HttpConnection}; finished exchanges become
 * {@link TracedRequest}s for every request output. Single-threaded: the event thread alone calls it.
 *
 * <p>A request is correlated one ring pass after it ended ({@link #eventsRead()}): by then the CUDA calls and
 * retransmits that happened before its end have arrived from their own rings.
 *
 * @param <K> a stream's identity
 */
public final class HttpStreams<K> {
    /** Streams followed at once; the least recently active beyond this are dropped (and counted). */
    private static final int MAX_STREAMS = 65_536;
    private static final int ROUTES_PER_PROCESS = 200;
    /** How often streams are counted for the in-flight figure (a walk over all of them). */
    private static final long IN_FLIGHT_COUNT_NS = 200_000_000L;
    /** Request ids: one sequence for every family, since their requests meet in the same outputs. */
    private static final AtomicLong IDS = new AtomicLong(1);

    private final String family;
    private final boolean tls;
    private final FamilyContext context;
    private final HttpStats stats;
    private final Decomposer decomposer;
    private final Map<K, Stream> streams = new LinkedHashMap<>(1024, 0.75f, true);
    private final Map<Integer, RouteTemplates> routesByProcess = new HashMap<>();
    private volatile Set<Integer> onlyPorts = Set.of();
    private List<Ended> endedThisPass = new ArrayList<>();
    private List<Ended> endedLastPass = new ArrayList<>();
    private volatile HttpMetrics metrics;
    /** Streams with a request begun and not finished, as of the last count. */
    private volatile long inFlight;
    private long inFlightCountedNs;
    private volatile long opened;

    /** A stream's parser, and its ports as last known (a TLS stream learns its socket after its first bytes). */
    private static final class Stream {
        final HttpConnection connection;
        int localPort;
        int remotePort;

        Stream(HttpConnection connection) {
            this.connection = connection;
        }
    }

    /** An exchange waiting for its correlation, with its stream's ports at its end. */
    private record Ended(HttpExchange exchange, int localPort, int remotePort) {}

    /**
     * @param family the family's name (trace events' family)
     * @param tls    whether the streams are TLS plaintext (the requests say so)
     */
    public HttpStreams(String family, boolean tls, FamilyContext context, HttpStats stats) {
        this.family = family;
        this.tls = tls;
        this.context = context;
        this.stats = stats;
        this.decomposer = new Decomposer(context.activity());
        context.activity().want();
    }

    /** Follows only streams with one of these local or remote ports; all when empty. */
    public void onlyPorts(Collection<Integer> wanted) {
        onlyPorts = Set.copyOf(wanted);
    }

    /**
     * One call's bytes on stream {@code key} of process {@code pid}.
     *
     * @param sock      kernel address of the stream's socket, 0 while not known
     * @param localPort the stream's ports, 0 while not known
     * @param firstData whether the call carries the stream's first bytes (it was seen from its start)
     * @return whether this call made the stream give up on HTTP (it is not HTTP, or it was upgraded to another
     *         protocol): its later calls are ignored, and a family may have the kernel stop sending them
     */
    public boolean data(K key, int pid, long sock, int localPort, int remotePort, boolean firstData, SocketIo io) {
        Stream s = streams.get(key);
        if (s != null && s.connection.pid() != pid) {
            // The key (a socket's memory) now names another process's stream: the old one's end was never seen.
            streams.remove(key).connection.close(io.tsNs());
            s = null;
        }
        if (s == null && io.bytes() <= 0) {
            return false; // an error or end of stream on a stream not followed (left out, or evicted)
        }
        if (s == null) {
            Set<Integer> only = onlyPorts;
            if (!only.isEmpty() && !only.contains(localPort) && !only.contains(remotePort)) {
                return false; // checked again at its next call: cheaper than remembering it (the ports asked for can change)
            }
            s = open(key, pid, sock, firstData, io.tsNs());
        }
        if (localPort != 0 || remotePort != 0) {
            s.localPort = localPort;
            s.remotePort = remotePort;
        }
        HttpConnection c = s.connection;
        if (gaveUp(c)) {
            return false; // ignored (http: calls the ring held before the kernel began to skip them)
        }
        long errorsBefore = c.parseErrors();
        c.accept(io);
        if (c.parseErrors() != errorsBefore) {
            stats.parseErrors(c.parseErrors() - errorsBefore);
        }
        if (c.state() == HttpConnection.State.NOT_HTTP) {
            stats.nonHttpConnection();
        }
        return gaveUp(c);
    }

    private static boolean gaveUp(HttpConnection c) {
        return c.state() == HttpConnection.State.NOT_HTTP || c.state() == HttpConnection.State.UPGRADED;
    }

    private Stream open(K key, int pid, long sock, boolean firstData, long nowNs) {
        Stream[] made = new Stream[1];
        HttpConnection c = new HttpConnection(pid, sock, firstData,
                routesByProcess.computeIfAbsent(pid, p -> new RouteTemplates(ROUTES_PER_PROCESS)),
                context.contentCaptureBytes(), x -> endedThisPass.add(new Ended(x, made[0].localPort, made[0].remotePort)));
        made[0] = new Stream(c);
        streams.put(key, made[0]);
        opened++;
        if (streams.size() > MAX_STREAMS) {
            var eldest = streams.entrySet().iterator();
            var evicted = eldest.next();
            eldest.remove();
            evicted.getValue().connection.close(nowNs); // its exchanges under way end as CLOSED
            stats.connectionEvicted();
        }
        return made[0];
    }

    /** The stream ended: closed by the traced process, or (peerReset) torn down by the peer's reset. */
    public void closed(K key, long tsNs, boolean peerReset) {
        Stream s = streams.remove(key);
        if (s != null && peerReset) {
            s.connection.peerReset(tsNs);
        } else if (s != null) {
            s.connection.close(tsNs);
        }
    }

    /** After a pass over every ring: correlates the exchanges that ended in the pass before. */
    public void eventsRead() {
        List<Ended> ready = endedLastPass;
        endedLastPass = endedThisPass;
        endedThisPass = new ArrayList<>();
        for (Ended ended : ready) {
            HttpExchange x = ended.exchange();
            TracedRequest r = new TracedRequest(IDS.getAndIncrement(), x, ended.localPort(), ended.remotePort(), tls,
                    decomposer.decompose(x));
            stats.add(r);
            HttpMetrics m = metrics;
            if (m != null) {
                m.observe(r);
            }
            context.requests().accept(r);
            if (context.wantsEvents()) {
                context.events().accept(new TraceEvent(family, "request", x.startNs(), x.pid(), x.startTid(),
                        RequestFields.of(r)));
            }
        }
        long now = System.nanoTime();
        if (now - inFlightCountedNs > IN_FLIGHT_COUNT_NS) {
            inFlightCountedNs = now;
            inFlight = streams.values().stream().filter(s -> s.connection.inFlight()).count();
        }
    }

    /** Streams with a request under way, as last counted. */
    public long inFlight() {
        return inFlight;
    }

    /** Streams followed since the start (each stream's first bytes opened it). */
    public long opened() {
        return opened;
    }

    /** Observes every request from now on in the registry's HTTP metrics (one set, whichever families feed it). */
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        metrics = HttpMetrics.in(registry, names);
    }
}
