package io.aiscope.probe.http;

import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct aiscope_http_event (http.h), read through the object's BTF; and the settings Java writes. */
final class HttpEventLayout extends CapturedCallLayout {
    /** enum http_event_kind. */
    static final int DATA = 1, CLOSE = 2, RUNQ_WAIT = 3;
    /** enum http_flags. */
    private static final int INBOUND = 1, FIRST_DATA = 2, PEER_RESET = 4;

    private final BtfStruct settings;
    private final EventLayout.U64 cookie;

    HttpEventLayout(BpfObject object) {
        super(object, "aiscope_http_event");
        settings = object.struct("aiscope_http_settings");
        cookie = new EventLayout(object, "aiscope_http_event").u64("cookie");
    }

    /** A data record's socket cookie: the connection's identity that no later socket gets (skip_socks' key). */
    long cookie(MemorySegment e) {
        return cookie.get(e);
    }

    /** Whether a data record carries its connection's first bytes (see first_data() in http.bpf.c). */
    boolean firstData(MemorySegment e) {
        return (flags(e) & FIRST_DATA) != 0;
    }

    /** Whether a close record says the connection died of the peer's reset. */
    boolean peerReset(MemorySegment e) {
        return (flags(e) & PEER_RESET) != 0;
    }

    SocketIo socketIo(MemorySegment e) {
        return socketIo(e, (flags(e) & INBOUND) != 0);
    }

    /** Writes struct aiscope_http_settings into its one-entry array map. */
    void writeSettings(BpfMap map, boolean runQueueWaitEvents, int minWaitUs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(settings.size());
            value.set(ValueLayout.JAVA_INT, settings.offset("runq_wait_events", 4), runQueueWaitEvents ? 1 : 0);
            value.set(ValueLayout.JAVA_INT, settings.offset("min_runq_wait_us", 4), minWaitUs);
            map.update(key, value);
        }
    }
}
