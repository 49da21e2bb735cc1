package io.aiscope.probe.http;

import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** struct aiscope_http_event (http.h), read through the object's BTF; and the settings Java writes. */
final class HttpEventLayout {
    /** enum http_event_kind. */
    static final int DATA = 1, CLOSE = 2, RUNQ_WAIT = 3;
    /** enum http_flags. */
    private static final int INBOUND = 1, FIRST_DATA = 2, PEER_RESET = 4;
    private static final int HEAD_BYTES = 4096, TAIL_BYTES = 256;

    private final EventLayout.U32 kind, tgid, tid, flags, lport, rport, headLen, tailLen;
    private final EventLayout.U64 ts, sock, bytes, runDelay, onCpu, procRunDelay;
    private final long head, tail;
    private final BtfStruct settings;

    HttpEventLayout(BpfObject object) {
        EventLayout layout = new EventLayout(object, "aiscope_http_event");
        kind = layout.u32("kind");
        tgid = layout.u32("tgid");
        tid = layout.u32("tid");
        flags = layout.u32("flags");
        ts = layout.u64("ts_ns");
        sock = layout.u64("sock");
        bytes = layout.u64("bytes");
        lport = layout.u32("lport");
        rport = layout.u32("rport");
        headLen = layout.u32("head_len");
        tailLen = layout.u32("tail_len");
        runDelay = layout.u64("run_delay_ns");
        onCpu = layout.u64("on_cpu_ns");
        procRunDelay = layout.u64("proc_run_delay_ns");
        BtfStruct struct = object.struct("aiscope_http_event");
        head = struct.offset("head", HEAD_BYTES);
        tail = struct.offset("tail", TAIL_BYTES);
        settings = object.struct("aiscope_http_settings");
    }

    int kind(MemorySegment e) {
        return kind.getInt(e);
    }

    int tgid(MemorySegment e) {
        return tgid.getInt(e);
    }

    int tid(MemorySegment e) {
        return tid.getInt(e);
    }

    long tsNs(MemorySegment e) {
        return ts.get(e);
    }

    long sock(MemorySegment e) {
        return sock.get(e);
    }

    /** Signed: -errno for a failed call; a run-queue wait's length. */
    long bytes(MemorySegment e) {
        return bytes.get(e);
    }

    int localPort(MemorySegment e) {
        return lport.getInt(e);
    }

    int remotePort(MemorySegment e) {
        return rport.getInt(e);
    }

    /** Whether a data record carries its connection's first bytes (see first_data() in http.bpf.c). */
    boolean firstData(MemorySegment e) {
        return (flags.getInt(e) & FIRST_DATA) != 0;
    }

    /** Whether a close record says the connection died of the peer's reset. */
    boolean peerReset(MemorySegment e) {
        return (flags.getInt(e) & PEER_RESET) != 0;
    }

    SocketIo socketIo(MemorySegment e) {
        long moved = bytes(e);
        int h = (int) Math.min(headLen.get(e), HEAD_BYTES);
        int t = (int) Math.min(tailLen.get(e), TAIL_BYTES);
        return new SocketIo(ts.get(e), tid.getInt(e), (flags.getInt(e) & INBOUND) != 0, moved, copy(e, head, h),
                copy(e, tail, t), new ThreadClock(runDelay.get(e), onCpu.get(e), procRunDelay.get(e)));
    }

    private static byte[] copy(MemorySegment e, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, b, 0, n);
        return b;
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
