package io.aiscope.probe.proc;

import io.aiscope.bpf.BpfException;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.EventLayout;
import io.aiscope.correlate.ProcessAction;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * struct aiscope_proc_event, struct aiscope_proc_io_event and struct aiscope_proc_connect_result (proc.h), read
 * through the object's BTF.
 */
final class ProcEventLayout {
    /** enum proc_event_kind. */
    static final int FORK = 1, EXEC = 2, EXIT = 3, LIBRARIES = 4, OPEN = 5, CONNECT = 6, CONNECT_RESULT = 7;
    /** enum proc_io_capture. */
    private static final int CUT = 1, UNREADABLE = 2;
    private static final int COMM_LEN = 16, PATH_LEN = 256, ARGS_LEN = 1024, SOCKADDR_LEN = 128;
    private static final int EINTR = 4, ERESTARTSYS = 512, ERESTART_RESTARTBLOCK = 516;

    private final EventLayout.U32 kind, tgid, ppid, stopped, argsLen;
    private final EventLayout.S32 exitCode;
    private final EventLayout.U64 ts, argsTotal;
    private final EventLayout.Chars comm, filename;
    private final long args;
    private final EventLayout.U32 ioTid, ioFlags, ioCapture, ioAddrLen;
    private final EventLayout.U64 ioResult, ioTs, ioSock;
    private final EventLayout.Chars ioPath;
    private final long ioAddr;
    private final EventLayout.U32 outConnected;
    private final EventLayout.S32 outErr;
    private final EventLayout.U64 outSock, outConnectTs, outTs;

    /** A connect's outcome: which connect, when it was known, its result (0 or -errno). */
    record ConnectOutcome(PendingConnects.Key connect, long tsNs, long result) {}

    ProcEventLayout(BpfObject object) {
        EventLayout layout = new EventLayout(object, "aiscope_proc_event");
        kind = layout.u32("kind");
        tgid = layout.u32("tgid");
        ppid = layout.u32("ppid");
        stopped = layout.u32("stopped");
        exitCode = layout.s32("exit_code");
        argsLen = layout.u32("args_len");
        argsTotal = layout.u64("args_total");
        ts = layout.u64("ts_ns");
        comm = layout.chars("comm", COMM_LEN);
        filename = layout.chars("filename", PATH_LEN);
        args = object.struct("aiscope_proc_event").offset("args", ARGS_LEN);

        EventLayout io = sameHead(object, "aiscope_proc_io_event");
        ioTid = io.u32("tid");
        ioFlags = io.u32("flags");
        ioResult = io.u64("result");
        ioTs = io.u64("ts_ns");
        ioCapture = io.u32("capture");
        ioAddrLen = io.u32("addr_len");
        ioPath = io.chars("path", PATH_LEN);
        ioAddr = object.struct("aiscope_proc_io_event").offset("addr", SOCKADDR_LEN);
        ioSock = io.u64("sock");

        EventLayout out = sameHead(object, "aiscope_proc_connect_result");
        outConnected = out.u32("connected");
        outErr = out.s32("err");
        outSock = out.u64("sock");
        outConnectTs = out.u64("connect_ts_ns");
        outTs = out.u64("ts_ns");
    }

    /** Another record's layout, which must begin with kind and tgid as struct aiscope_proc_event does. */
    private EventLayout sameHead(BpfObject object, String struct) {
        EventLayout layout = new EventLayout(object, struct);
        if (layout.u32("kind").offset() != kind.offset() || layout.u32("tgid").offset() != tgid.offset()) {
            throw new BpfException("proc.h: " + struct + " must begin with kind and tgid as aiscope_proc_event");
        }
        return layout;
    }

    int kind(MemorySegment e) {
        return kind.getInt(e);
    }

    int pid(MemorySegment e) {
        return tgid.getInt(e);
    }

    int ppid(MemorySegment e) {
        return ppid.getInt(e);
    }

    boolean stopped(MemorySegment e) {
        return stopped.getInt(e) != 0;
    }

    /** Of a fork, exec or exit record. */
    long tsNs(MemorySegment e) {
        return ts.get(e);
    }

    String comm(MemorySegment e) {
        return comm.get(e);
    }

    String filename(MemorySegment e) {
        return filename.get(e);
    }

    int waitStatus(MemorySegment e) {
        return exitCode.get(e);
    }

    Argv argv(MemorySegment e) {
        byte[] block = bytes(e, args, argsLen.get(e), ARGS_LEN);
        return Argv.split(block, block.length, argsTotal.get(e));
    }

    /** Whether an open's path filled path[] and went on: the path reported is its beginning, marked with "…". */
    boolean pathCut(MemorySegment e) {
        return (ioCapture.getInt(e) & CUT) != 0;
    }

    ProcessAction.FileOpen fileOpen(MemorySegment e) {
        String path = (ioCapture.getInt(e) & UNREADABLE) != 0 && ioPath.get(e).isEmpty() ? SocketAddresses.UNREADABLE
                : pathCut(e) ? ioPath.get(e) + "…" : ioPath.get(e);
        return new ProcessAction.FileOpen(ioTs.get(e), pid(e), ioTid.getInt(e), path, ioFlags.getInt(e),
                result(ioResult.get(e)));
    }

    ProcessAction.Connect connect(MemorySegment e) {
        byte[] sockaddr = bytes(e, ioAddr, ioAddrLen.get(e), SOCKADDR_LEN);
        SocketAddresses.Endpoint to = SocketAddresses.decode(sockaddr, sockaddr.length);
        return new ProcessAction.Connect(ioTs.get(e), pid(e), ioTid.getInt(e), to.address(), to.port(),
                result(ioResult.get(e)));
    }

    /** The socket whose outcome a later connect-result record reports, or 0 when none will come. */
    long connectSock(MemorySegment e) {
        return ioSock.get(e);
    }

    ConnectOutcome connectOutcome(MemorySegment e) {
        return new ConnectOutcome(new PendingConnects.Key(pid(e), outSock.get(e), outConnectTs.get(e)), outTs.get(e),
                outcome(outConnected.getInt(e) != 0, outErr.get(e)));
    }

    /** 0 when connected; the socket's error when the handshake failed; closed without one: the process gave up. */
    static long outcome(boolean connected, int err) {
        return connected ? 0 : err != 0 ? -err : ProcessAction.ConnectResult.CLOSED_WHILE_CONNECTING;
    }

    /** The {@code length} bytes the kernel filled at {@code offset}, never more than the field's {@code room}. */
    private static byte[] bytes(MemorySegment e, long offset, long length, int room) {
        byte[] b = new byte[(int) Math.min(length, room)];
        MemorySegment.copy(e, ValueLayout.JAVA_BYTE, offset, b, 0, b.length);
        return b;
    }

    /**
     * A syscall's result as its caller sees it. A call a signal interrupted returns one of the kernel's internal
     * restart codes at this point: the caller then sees EINTR, or the call made again (reported again).
     */
    static long result(long raw) {
        return raw <= -ERESTARTSYS && raw >= -ERESTART_RESTARTBLOCK ? -EINTR : raw;
    }
}
