package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.aiscope.engine.UprobePlan;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.aiscope.probe.proc.ProcEventLayout.CONNECT;
import static io.aiscope.probe.proc.ProcEventLayout.CONNECT_RESULT;
import static io.aiscope.probe.proc.ProcEventLayout.EXEC;
import static io.aiscope.probe.proc.ProcEventLayout.EXIT;
import static io.aiscope.probe.proc.ProcEventLayout.FORK;
import static io.aiscope.probe.proc.ProcEventLayout.LIBRARIES;
import static io.aiscope.probe.proc.ProcEventLayout.OPEN;

/**
 * The traced workload's processes and what they did outside themselves: forks, execs (with argv) and exits as
 * the kernel saw them, the files they opened and the addresses they connected to. Always loaded: its BPF object
 * owns the shared target set, the session reacts to its execs (new libraries to probe), and every action goes
 * to the session's action listeners (the agent correlation).
 */
public final class ProcFamily implements ProbeFamily {
    private static final int MAX_PROCESSES = 10_000;

    /** What the session wants to hear at once: a traced process may map new libraries to probe. */
    public interface Listener {
        /** It exec'd a new program. */
        void exec(int pid, String filename);

        /** Its dynamic loader mapped or unmapped libraries; if {@code stopped}, it waits for a SIGCONT. */
        void librariesChanged(int pid, boolean stopped);
    }

    private final Listener listener;
    private final ProcessNames names;
    private final ProcessTree tree = new ProcessTree(MAX_PROCESSES);
    private final FileOpens files = new FileOpens();
    private final Connects connects = new Connects();
    private final PendingConnects pendingConnects = new PendingConnects();
    private FamilyContext context;
    private ProcEventLayout layout;
    private long originNs;
    private volatile long kernelOutcomesLost;

    public ProcFamily(Listener listener, ProcessNames names) {
        this.listener = listener;
        this.names = names;
    }

    @Override
    public String name() {
        return "proc";
    }

    @Override
    public String summary() {
        return "process tree of the traced workload: fork, exec with argv, exit, file opens, connects (always on)";
    }

    @Override
    public void start(FamilyContext context) {
        this.context = context;
        this.layout = new ProcEventLayout(context.object());
        this.originNs = System.nanoTime();
        context.object().programs().stream().filter(p -> !p.isUprobe()).forEach(context::attachOrReport);
        context.probeLibraries(List.of(new UprobePlan(name(), "dynamic loader", "ld-linux*.so*", List.of(
                new UprobePlan.Probe("_dl_debug_state", context.object().program("proc_libraries_changed"), null, 0)))));
    }

    /** Registers a process aiscope started tracing itself (a launched command, a -p PID). */
    public void seed(int pid) {
        tree.seed(pid, names.comm(pid), ProcFs.ppid(pid), ProcFs.cmdline(pid));
    }

    @Override
    public void onEvent(MemorySegment e) {
        int pid = layout.pid(e);
        switch (layout.kind(e)) {
            case LIBRARIES -> listener.librariesChanged(pid, layout.stopped(e));
            case OPEN -> opened(layout.fileOpen(e), layout.pathCut(e));
            case CONNECT -> connected(layout.connect(e), layout.connectSock(e));
            case CONNECT_RESULT -> connectEnded(layout.connectOutcome(e));
            case FORK -> forked(e, pid);
            case EXEC -> execd(e, pid);
            case EXIT -> exited(e, pid);
            default -> throw new IllegalArgumentException("unknown proc event kind " + layout.kind(e));
        }
    }

    private void forked(MemorySegment e, int pid) {
        long ts = layout.tsNs(e);
        int parent = layout.ppid(e);
        String comm = remember(pid, e);
        tree.fork(ts, pid, parent, comm);
        context.actions().accept(new ProcessAction.Fork(ts, pid, parent));
        trace("fork", ts, pid, pid, Map.of("comm", comm, "ppid", parent));
    }

    private void execd(MemorySegment e, int pid) {
        long ts = layout.tsNs(e);
        String filename = layout.filename(e);
        Argv argv = layout.argv(e);
        String comm = remember(pid, e);
        tree.exec(pid, new ProcessInfo.Exec(ts, filename, comm, argv));
        listener.exec(pid, filename);
        context.actions().accept(new ProcessAction.Exec(ts, pid, filename, argv.args()));
        if (context.wantsEvents()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("comm", comm);
            fields.put("filename", filename);
            fields.put("argv", argv.args());
            if (argv.cut()) {
                fields.put("argv_truncated", true);
            }
            trace("exec", ts, pid, pid, fields);
        }
    }

    private void exited(MemorySegment e, int pid) {
        long ts = layout.tsNs(e);
        String comm = remember(pid, e);
        int code = tree.exit(ts, pid, comm, layout.waitStatus(e));
        context.actions().accept(new ProcessAction.Exit(ts, pid, code));
        trace("exit", ts, pid, pid, Map.of("comm", comm, "exit_code", code));
    }

    private void opened(ProcessAction.FileOpen open, boolean pathCut) {
        files.add(open, pathCut);
        context.actions().accept(open);
        if (context.wantsEvents()) {
            trace("open", open.tsNs(), open.pid(), open.tid(), Map.of("path", open.path(),
                    "flags", OpenFlags.describe(open.flags()), "result", open.result()));
        }
    }

    /** @param sock the socket whose outcome the kernel reports later (a non-blocking TCP connect), or 0 */
    private void connected(ProcessAction.Connect connect, long sock) {
        if (sock != 0) {
            pendingConnects.add(connect, sock);
        }
        connects.add(connect);
        context.actions().accept(connect);
        if (context.wantsEvents()) {
            trace("connect", connect.tsNs(), connect.pid(), connect.tid(), Map.of("address", connect.address(),
                    "port", connect.port(), "result", connect.result()));
        }
    }

    private void connectEnded(ProcEventLayout.ConnectOutcome outcome) {
        ProcessAction.ConnectResult r = pendingConnects.complete(outcome.connect(), outcome.tsNs(), outcome.result());
        if (r == null) {
            return;
        }
        ProcessAction.Connect c = r.connect();
        connects.completed(r);
        context.actions().accept(r);
        if (context.wantsEvents()) {
            trace("connect_result", r.tsNs(), c.pid(), c.tid(), Map.of("address", c.address(), "port", c.port(),
                    "result", r.result(), "after_ms", r.afterNs() / 1e6));
        }
    }

    private String remember(int pid, MemorySegment e) {
        String comm = layout.comm(e);
        names.remember(pid, comm);
        return comm;
    }

    private void trace(String type, long ts, int pid, int tid, Map<String, Object> fields) {
        if (context.wantsEvents()) {
            context.events().accept(new TraceEvent(name(), type, ts, pid, tid, fields));
        }
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        tree.write(section, originNs);
        files.write(section.putObject("files"));
        connects.write(section);
        section.put("connect_outcomes_lost", kernelOutcomesLost + pendingConnects.lost());
    }

    @Override
    public void collect() {
        kernelOutcomesLost = context.object().map("connect_outcomes_lost").sumPerCpu(0);
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        GaugeWithCallback.builder().name("aiscope_traced_processes").help("Processes aiscope traces now")
                .callback(cb -> cb.call(tree.live())).register(registry);
    }
}
