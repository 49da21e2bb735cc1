package io.aiscope.probe.tcp;

/** One decoded ring record of the tcp family (see tcp.h for what each field means per kind). */
record TcpEvent(Kind kind, int pid, String comm, long tsNs, long sock, long durationNs, long connectNs, long txBytes,
        long rxBytes, int retransmits, String laddr, int lport, String raddr, int rport, Role role, int state) {

    enum Kind {
        OPEN, CLOSE, RETRANSMIT, SYNACK_RETRANSMIT;

        /** enum tcp_event_kind. */
        static Kind of(int kind) {
            return switch (kind) {
                case 1 -> OPEN;
                case 2 -> CLOSE;
                case 3 -> RETRANSMIT;
                case 4 -> SYNACK_RETRANSMIT;
                default -> throw new IllegalArgumentException("unknown tcp event kind " + kind);
            };
        }
    }

    /** enum tcp_role: who opened the connection. */
    enum Role {
        UNKNOWN, CLIENT, SERVER;

        static Role of(int role) {
            return role == 1 ? CLIENT : role == 2 ? SERVER : UNKNOWN;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /** The kernel's TCP state names (include/net/tcp_states.h). */
    static String stateName(int state) {
        return state > 0 && state < STATES.length ? STATES[state] : Integer.toString(state);
    }
}
