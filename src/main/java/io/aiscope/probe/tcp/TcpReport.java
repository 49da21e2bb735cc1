package io.aiscope.probe.tcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The tcp section of the run report: totals, connect latency, each connection (tcplife's columns), per process. */
final class TcpReport {
    private final TcpStats stats;

    TcpReport(TcpStats stats) {
        this.stats = stats;
    }

    void write(ObjectNode out, long nowNs) {
        synchronized (stats) {
            long retransmits = 0, synack = 0, opened = 0, closed = 0, failures = 0, open = 0, tx = 0, rx = 0;
            for (ProcessTcp p : stats.processes.values()) {
                retransmits += p.retransmits;
                synack += p.synackRetransmits;
                opened += p.openedTotal();
                closed += p.closed;
                failures += p.connectFailures;
                open += p.open;
                tx += p.txBytes;
                rx += p.rxBytes;
            }
            out.put("retransmits", retransmits);
            out.put("synack_retransmits", synack);
            // Retransmission attempts on sockets no traced process was seen to own: other processes' when only some
            // are traced, and connections idle since before tracing began.
            out.put("unattributed_retransmits", stats.unattributedRetransmits);
            out.put("connections_opened", opened);
            out.put("connections_closed", closed);
            out.put("connect_failures", failures);
            out.put("open_connections", open);
            out.put("tx_bytes", tx);
            out.put("rx_bytes", rx);
            ObjectNode latency = out.putObject("connect_latency_ms");
            latency.put("count", stats.connectLatencyNs.getTotalCount());
            latency.put("p50", stats.connectLatencyNs.getValueAtPercentile(50) / 1e6);
            latency.put("p99", stats.connectLatencyNs.getValueAtPercentile(99) / 1e6);
            latency.put("max", stats.connectLatencyNs.getMaxValue() / 1e6);
            ArrayNode list = out.putArray("connections");
            stats.closed.forEach(c -> write(list.addObject(), c, nowNs));
            stats.open.values().forEach(c -> write(list.addObject(), c, nowNs));
            out.put("connections_not_listed", stats.closedNotListed + stats.openNotListed);
            // Connections the kernel side could not follow (its table was full).
            out.put("untracked_connections", stats.untrackedConnections);
            ArrayNode processes = out.putArray("processes");
            stats.processes.values().forEach(p -> write(processes.addObject(), p));
        }
    }

    private static void write(ObjectNode o, Connection c, long nowNs) {
        o.put("pid", c.pid);
        o.put("comm", c.comm);
        o.put("role", c.role.label());
        o.put("laddr", c.laddr);
        o.put("lport", c.lport);
        o.put("raddr", c.raddr);
        o.put("rport", c.rport);
        o.put("open", !c.closed);
        o.put("established", c.established);
        o.put("duration_ms", c.durationNs(nowNs) / 1e6);
        if (c.closed) {
            o.put("tx_bytes", c.txBytes);
            o.put("rx_bytes", c.rxBytes);
            o.put("last_state", TcpEvent.stateName(c.lastState));
        } else {
            o.putNull("tx_bytes");  // read from the kernel at close
            o.putNull("rx_bytes");
        }
        o.put("retransmits", c.retransmits);
        if (c.connectNs > 0) {
            o.put("connect_latency_ms", c.connectNs / 1e6);
        } else {
            o.putNull("connect_latency_ms");
        }
    }

    private static void write(ObjectNode o, ProcessTcp p) {
        o.put("pid", p.pid);
        o.put("comm", p.comm);
        o.put("retransmits", p.retransmits);
        o.put("synack_retransmits", p.synackRetransmits);
        o.put("connections_opened", p.openedTotal());
        ObjectNode byRole = o.putObject("opened_by_role");
        for (TcpEvent.Role r : TcpEvent.Role.values()) {
            byRole.put(r.label(), p.opened[r.ordinal()]);
        }
        o.put("connections_closed", p.closed);
        o.put("connect_failures", p.connectFailures);
        o.put("open_connections", p.open);
        o.put("tx_bytes", p.txBytes);
        o.put("rx_bytes", p.rxBytes);
    }
}
