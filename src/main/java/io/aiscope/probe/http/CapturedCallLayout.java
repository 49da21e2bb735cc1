package io.aiscope.probe.http;

import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fields every record that carries a call's bytes for the parser has (struct aiscope_http_event,
 * struct aiscope_tls_event: the same names), read through the object's BTF; the call as a {@link SocketIo}. Each
 * family's layout adds what its records have besides.
 */
public class CapturedCallLayout {
    /** capture.h's CAPTURE_HEAD_BYTES and CAPTURE_TAIL_BYTES: BTF checks the arrays have these sizes. */
    private static final int HEAD_BYTES = 4096, TAIL_BYTES = 256;

    private final EventLayout.U32 kind, tgid, tid, flags, lport, rport, headLen, tailLen;
    private final EventLayout.U64 ts, sock, bytes, runDelay, onCpu, procRunDelay;
    private final long head, tail;

    protected CapturedCallLayout(BpfObject object, String struct) {
        EventLayout layout = new EventLayout(object, struct);
        kind = layout.u32("kind");
        tgid = layout.u32("tgid");
        tid = layout.u32("tid");
        flags = layout.u32("flags");
        ts = layout.u64("ts_ns");
        sock = layout.u64("sock");
        lport = layout.u32("lport");
        rport = layout.u32("rport");
        bytes = layout.u64("bytes");
        headLen = layout.u32("head_len");
        tailLen = layout.u32("tail_len");
        runDelay = layout.u64("run_delay_ns");
        onCpu = layout.u64("on_cpu_ns");
        procRunDelay = layout.u64("proc_run_delay_ns");
        BtfStruct fields = object.struct(struct);
        head = fields.offset("head", HEAD_BYTES);
        tail = fields.offset("tail", TAIL_BYTES);
    }

    public int kind(MemorySegment e) {
        return kind.getInt(e);
    }

    public int tgid(MemorySegment e) {
        return tgid.getInt(e);
    }

    public int tid(MemorySegment e) {
        return tid.getInt(e);
    }

    /** The family's flag bits. */
    protected int flags(MemorySegment e) {
        return flags.getInt(e);
    }

    /** Kernel address of the socket (the tcp family's connection identity); 0 where not known. */
    public long sock(MemorySegment e) {
        return sock.get(e);
    }

    /** The socket's local port, 0 where not known. */
    public int localPort(MemorySegment e) {
        return lport.getInt(e);
    }

    /** The peer's port, 0 where not known. */
    public int remotePort(MemorySegment e) {
        return rport.getInt(e);
    }

    public long tsNs(MemorySegment e) {
        return ts.get(e);
    }

    /** Signed: bytes moved, 0 at end of stream, -errno. */
    public long bytes(MemorySegment e) {
        return bytes.get(e);
    }

    protected SocketIo socketIo(MemorySegment e, boolean inbound) {
        int h = (int) Math.min(headLen.get(e), HEAD_BYTES);
        int t = (int) Math.min(tailLen.get(e), TAIL_BYTES);
        return new SocketIo(ts.get(e), tid.getInt(e), inbound, bytes(e), copy(e, head, h), copy(e, tail, t),
                new ThreadClock(runDelay.get(e), onCpu.get(e), procRunDelay.get(e)));
    }

    private static byte[] copy(MemorySegment e, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, b, 0, n);
        return b;
    }
}
