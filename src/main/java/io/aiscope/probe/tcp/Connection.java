package io.aiscope.probe.tcp;

/** One connection of a traced process, as the tcp family has seen it so far. */
final class Connection {
    int pid;
    String comm;
    final TcpEvent.Role role;
    final String laddr, raddr;
    final int lport, rport;
    final long openNs;
    long connectNs;
    boolean established;
    boolean closed;
    long closedDurationNs;   /* the kernel's, from open (SYN_SENT for a client) to CLOSE */
    long txBytes, rxBytes;
    long retransmits;
    int lastState;

    Connection(TcpEvent e, long openNs) {
        this.pid = e.pid();
        this.comm = e.comm();
        this.role = e.role();
        this.laddr = e.laddr();
        this.lport = e.lport();
        this.raddr = e.raddr();
        this.rport = e.rport();
        this.openNs = openNs;
        this.connectNs = e.connectNs();
    }

    long durationNs(long nowNs) {
        return closed ? closedDurationNs : nowNs - openNs;
    }
}
