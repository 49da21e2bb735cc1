package io.aiscope.probe.tcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TCP connections of traced processes, tcplife-style (open, close, duration, bytes, connect latency, 4-tuple) and
 * their retransmitted segments, attributed to the process owning the socket rather than to whoever the softirq
 * interrupted. How ownership is learnt is explained at the top of tcp.bpf.c.
 */
public final class TcpFamily implements ProbeFamily {
    private static final int STAT_UNATTRIBUTED = 0, STAT_CONNS_FULL = 1;

    private final TcpStats stats = new TcpStats();
    private FamilyContext context;
    private BpfMap kernelStats;
    private EventLayout.U32 kind, tgid, retransmits, family, lport, rport, role, state;
    private EventLayout.U64 ts, sock, duration, connect, tx, rx;
    private EventLayout.Chars comm;
    private long laddr, raddr;
    private final List<String> missingTracepoints = new ArrayList<>();

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String summary() {
        return "TCP: connections with duration, bytes and connect latency; retransmits per connection and process";
    }

    /**
     * sock_send_length and sock_recv_length arrived in 6.3: without them sockets are still owned through connect()
     * and listen(); only connections opened before tracing go unseen.
     */
    @Override
    public void beforeLoad(BpfObject object, Kernel kernel) {
        missingTracepoints.addAll(kernel.leaveOutMissingTracepoints(object));
    }

    @Override
    public void start(FamilyContext context) {
        this.context = context;
        BpfObject object = context.object();
        EventLayout layout = new EventLayout(object, "aiscope_tcp_event");
        kind = layout.u32("kind");
        tgid = layout.u32("tgid");
        ts = layout.u64("ts_ns");
        sock = layout.u64("sock");
        duration = layout.u64("duration_ns");
        connect = layout.u64("connect_ns");
        tx = layout.u64("tx_bytes");
        rx = layout.u64("rx_bytes");
        retransmits = layout.u32("retransmits");
        family = layout.u32("family");
        lport = layout.u32("lport");
        rport = layout.u32("rport");
        role = layout.u32("role");
        state = layout.u32("state");
        comm = layout.chars("comm", 16);
        BtfStruct struct = object.struct("aiscope_tcp_event");
        laddr = struct.offset("laddr", 16);
        raddr = struct.offset("raddr", 16);
        kernelStats = object.map("tcp_stats");
        missingTracepoints.forEach(p -> context.log().unavailable("tcp/" + p, "this kernel has no such tracepoint"));
        object.programs().stream().filter(BpfProgram::autoload).forEach(context::attachOrReport);
    }

    @Override
    public void onEvent(MemorySegment e) {
        TcpEvent event = decode(e);
        stats.apply(event);
        if (event.kind() == TcpEvent.Kind.RETRANSMIT && context.activity().wanted()) {
            context.activity().retransmit(event.sock(), event.tsNs(), event.retransmits());
        }
        if (context.wantsEvents()) {
            context.events().accept(traceEvent(event));
        }
    }

    private TcpEvent decode(MemorySegment e) {
        int af = family.getInt(e);
        return new TcpEvent(TcpEvent.Kind.of(kind.getInt(e)), tgid.getInt(e), comm.get(e), ts.get(e), sock.get(e),
                duration.get(e), connect.get(e), tx.get(e), rx.get(e), retransmits.getInt(e),
                TcpAddresses.format(af, bytes(e, laddr)), lport.getInt(e), TcpAddresses.format(af, bytes(e, raddr)),
                rport.getInt(e), TcpEvent.Role.of(role.getInt(e)), state.getInt(e));
    }

    private static byte[] bytes(MemorySegment e, long offset) {
        byte[] b = new byte[16];
        MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
        return b;
    }

    private TraceEvent traceEvent(TcpEvent e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("comm", e.comm());
        fields.put("laddr", e.laddr());
        fields.put("lport", e.lport());
        fields.put("raddr", e.raddr());
        fields.put("rport", e.rport());
        fields.put("role", e.role().label());
        String type = switch (e.kind()) {
            case OPEN -> {
                if (e.connectNs() > 0) {
                    fields.put("connect_ms", e.connectNs() / 1e6);
                }
                yield e.role() == TcpEvent.Role.CLIENT ? "connect" : e.role() == TcpEvent.Role.SERVER ? "accept" : "open";
            }
            case CLOSE -> {
                fields.put("duration_ms", e.durationNs() / 1e6);
                fields.put("tx_bytes", e.txBytes());
                fields.put("rx_bytes", e.rxBytes());
                fields.put("retransmits", e.retransmits());
                fields.put("from_state", TcpEvent.stateName(e.state()));
                yield "close";
            }
            case RETRANSMIT, SYNACK_RETRANSMIT -> {
                fields.put("segments", e.retransmits());
                fields.put("state", TcpEvent.stateName(e.state()));
                yield e.kind() == TcpEvent.Kind.RETRANSMIT ? "retransmit" : "synack_retransmit";
            }
        };
        return new TraceEvent(name(), type, e.tsNs(), e.pid(), e.pid(), fields);
    }

    @Override
    public void collect() {
        if (kernelStats != null) {
            stats.kernelCounters(kernelStats.sumPerCpu(STAT_UNATTRIBUTED), kernelStats.sumPerCpu(STAT_CONNS_FULL));
        }
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new TcpReport(stats).write(section, System.nanoTime());
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        new TcpMetrics(stats, names).register(registry);
    }

    /** Per-process totals for {@code top}, cumulative since tracing began (exited processes included). */
    public List<TcpProcessStats> processes() {
        return stats.views();
    }

    public Optional<TcpProcessStats> process(int pid) {
        return Optional.ofNullable(stats.view(pid));
    }
}
