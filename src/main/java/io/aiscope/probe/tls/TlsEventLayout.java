package io.aiscope.probe.tls;

import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.EventLayout;
import io.aiscope.probe.http.CapturedCallLayout;
import io.aiscope.probe.http.SocketIo;

import java.lang.foreign.MemorySegment;

/** struct aiscope_tls_event (tls.h), read through the object's BTF. */
final class TlsEventLayout extends CapturedCallLayout {
    /** enum tls_event_kind. */
    static final int DATA = 1, FREE = 2, HANDSHAKE = 3;
    /** enum tls_flags. */
    private static final int INBOUND = 1, FIRST_DATA = 2, HANDSHAKE_UNFINISHED = 4;

    private final EventLayout.U64 ssl;

    TlsEventLayout(BpfObject object) {
        super(object, "aiscope_tls_event");
        ssl = new EventLayout(object, "aiscope_tls_event").u64("ssl");
    }

    /** The stream's identity within its process. */
    long ssl(MemorySegment e) {
        return ssl.get(e);
    }

    /** A handshake record's duration. */
    long durationNs(MemorySegment e) {
        return bytes(e);
    }

    /** Whether a data record carries its stream's first plaintext (a handshake on the SSL was seen before it). */
    boolean firstData(MemorySegment e) {
        return (flags(e) & FIRST_DATA) != 0;
    }

    /** Whether a free record's SSL began a handshake that never succeeded. */
    boolean handshakeUnfinished(MemorySegment e) {
        return (flags(e) & HANDSHAKE_UNFINISHED) != 0;
    }

    SocketIo socketIo(MemorySegment e) {
        return socketIo(e, (flags(e) & INBOUND) != 0);
    }
}
