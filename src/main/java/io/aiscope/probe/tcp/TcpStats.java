package io.aiscope.probe.tcp;

import org.HdrHistogram.Histogram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tcp family's view: connections open and closed, per-process totals, connect latency. Written by the event
 * thread, read by report, metrics and top: every access holds this object's lock.
 */
final class TcpStats {
    /** Closed connections kept for the report; older ones leave the list (their numbers stay in the totals). */
    static final int MAX_CLOSED_LISTED = 10_000;
    /** As many as the kernel follows: more open ones mean close events were lost. */
    static final int MAX_OPEN = 65_536;

    final Map<Long, Connection> open = new HashMap<>();
    final ArrayDeque<Connection> closed = new ArrayDeque<>();
    long closedNotListed;
    long openNotListed;
    final Map<Integer, ProcessTcp> processes = new TreeMap<>();
    final Histogram connectLatencyNs = new Histogram(3);
    /** Kernel-side counters, copied by {@link TcpFamily#collect()}. */
    long unattributedRetransmits;
    long untrackedConnections;

    synchronized void apply(TcpEvent e) {
        ProcessTcp p = process(e.pid(), e.comm());
        switch (e.kind()) {
            case OPEN -> opened(e, p);
            case CLOSE -> closed(e, p);
            case RETRANSMIT -> {
                p.retransmits += e.retransmits();
                Connection c = open.get(e.sock());
                if (c != null) {
                    c.retransmits += e.retransmits();
                }
            }
            case SYNACK_RETRANSMIT -> {
                p.retransmits += e.retransmits();
                p.synackRetransmits += e.retransmits();
            }
        }
    }

    private ProcessTcp process(int pid, String comm) {
        ProcessTcp p = processes.computeIfAbsent(pid, id -> new ProcessTcp(id, comm));
        if (!comm.isEmpty()) {
            p.comm = comm;
        }
        return p;
    }

    private void opened(TcpEvent e, ProcessTcp p) {
        Connection c = new Connection(e, e.tsNs() - e.connectNs());
        c.established = true;
        Connection stale = open.remove(e.sock());
        if (stale != null) {
            // Its close event was lost and the kernel reused the socket's memory.
            processes.get(stale.pid).open--;
        }
        countOpen(c, p);
        if (open.size() < MAX_OPEN) {
            open.put(e.sock(), c);
            p.open++;
        } else {
            openNotListed++;
        }
    }

    private void countOpen(Connection c, ProcessTcp p) {
        p.opened[c.role.ordinal()]++;
        if (c.role == TcpEvent.Role.CLIENT && c.connectNs > 0) {
            p.connected(c.connectNs);
            connectLatencyNs.recordValue(c.connectNs);
        }
    }

    private void closed(TcpEvent e, ProcessTcp p) {
        Connection c = open.remove(e.sock());
        if (c != null) {
            processes.get(c.pid).open--;
        } else {
            // Opened before its open event could be read (lost), or never established (a failed connect).
            c = new Connection(e, e.tsNs() - e.durationNs());
            c.established = e.state() != 2 && e.state() != 3;  // not from SYN_SENT or SYN_RECV
            if (c.established) {
                countOpen(c, p);
            }
        }
        c.pid = e.pid();
        c.comm = e.comm();
        c.closed = true;
        c.closedDurationNs = e.durationNs();
        c.txBytes = e.txBytes();
        c.rxBytes = e.rxBytes();
        c.retransmits = e.retransmits();  // the kernel's own total for the connection
        c.lastState = e.state();
        if (c.established) {
            p.closed++;
            p.txBytes += c.txBytes;
            p.rxBytes += c.rxBytes;
        } else if (c.role == TcpEvent.Role.CLIENT) {
            p.connectFailures++;
        }
        closed.addLast(c);
        if (closed.size() > MAX_CLOSED_LISTED) {
            closed.removeFirst();
            closedNotListed++;
        }
    }

    synchronized List<TcpProcessStats> views() {
        List<TcpProcessStats> out = new ArrayList<>(processes.size());
        processes.values().forEach(p -> out.add(p.view()));
        return out;
    }

    synchronized TcpProcessStats view(int pid) {
        ProcessTcp p = processes.get(pid);
        return p == null ? null : p.view();
    }

    synchronized void kernelCounters(long unattributed, long untracked) {
        unattributedRetransmits = unattributed;
        untrackedConnections = untracked;
    }
}
