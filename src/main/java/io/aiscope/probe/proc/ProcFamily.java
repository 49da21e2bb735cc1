package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.EventLayout;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.aiscope.engine.UprobePlan;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The process tree of the traced workload: forks, execs and exits as the kernel saw them. Always loaded: its BPF
 * object owns the shared target set, and the session reacts to its execs (new libraries to probe) and exits.
 */
public final class ProcFamily implements ProbeFamily {
    private static final int FORK = 1, EXEC = 2, EXIT = 3, LIBRARIES = 4;
    private static final int MAX_PROCESSES = 100_000;

    /** What the session wants to hear at once: a traced process may map new libraries to probe. */
    public interface Listener {
        /** It exec'd a new program. */
        void exec(int pid, String filename);

        /** Its dynamic loader mapped or unmapped libraries; if {@code stopped}, it waits for a SIGCONT. */
        void librariesChanged(int pid, boolean stopped);
    }

    private final Listener listener;
    private final Map<Integer, ProcessInfo> processes = new LinkedHashMap<>();
    private final ProcessNames names;
    private Consumer<TraceEvent> trace;
    private EventLayout.U32 kind, tgid, ppid, stopped;
    private EventLayout.S32 exitCode;
    private EventLayout.U64 ts;
    private EventLayout.Chars comm, filename;

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
        return "process tree of the traced workload: fork, exec, exit (always on)";
    }

    @Override
    public void start(FamilyContext context) {
        EventLayout layout = new EventLayout(context.object(), "aiscope_proc_event");
        kind = layout.u32("kind");
        tgid = layout.u32("tgid");
        ppid = layout.u32("ppid");
        stopped = layout.u32("stopped");
        exitCode = layout.s32("exit_code");
        ts = layout.u64("ts_ns");
        comm = layout.chars("comm", 16);
        filename = layout.chars("filename", 256);
        trace = context.events();
        context.object().programs().stream().filter(p -> !p.isUprobe()).forEach(context::attachOrReport);
        context.probeLibraries(List.of(new UprobePlan(name(), "dynamic loader", "ld-linux*.so*", List.of(
                new UprobePlan.Probe("_dl_debug_state", context.object().program("proc_libraries_changed"), null, 0)))));
    }

    /** Registers a process aiscope started tracing itself (a launched command, a -p PID). */
    public synchronized void seed(int pid) {
        ProcessInfo p = processes.computeIfAbsent(pid, ProcessInfo::new);
        p.comm = names.comm(pid);
    }

    @Override
    public void onEvent(MemorySegment e) {
        int pid = tgid.getInt(e);
        int type = kind.getInt(e);
        if (type == LIBRARIES) {
            listener.librariesChanged(pid, stopped.getInt(e) != 0);
            return;
        }
        String name = comm.get(e);
        names.remember(pid, name);
        ProcessInfo p;
        synchronized (this) {
            p = processes.get(pid);
            if (p == null && processes.size() < MAX_PROCESSES) {
                p = new ProcessInfo(pid);
                processes.put(pid, p);
            }
            if (p != null) {
                p.comm = name;
                switch (type) {
                    case FORK -> {
                        p.ppid = ppid.getInt(e);
                        p.startNs = ts.get(e);
                    }
                    case EXEC -> p.exe = filename.get(e);
                    case EXIT -> {
                        p.waitStatus = exitCode.get(e);
                        p.exitNs = ts.get(e);
                    }
                    default -> throw new IllegalArgumentException("unknown proc event kind " + type);
                }
            }
        }
        String typeName = switch (type) {
            case FORK -> "fork";
            case EXEC -> "exec";
            default -> "exit";
        };
        if (type == EXEC) {
            listener.exec(pid, filename.get(e));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("comm", name);
        if (type == FORK) {
            fields.put("ppid", ppid.getInt(e));
        } else if (type == EXEC) {
            fields.put("filename", filename.get(e));
        } else if (p != null) {
            fields.put("exit_code", p.exitCode());
        }
        trace.accept(new TraceEvent(name(), typeName, ts.get(e), pid, pid, fields));
    }

    public synchronized List<ProcessInfo> processes() {
        return new ArrayList<>(processes.values());
    }

    @Override
    public synchronized void report(ObjectNode section, ProcessNames names) {
        ArrayNode list = section.putArray("processes");
        for (ProcessInfo p : processes.values()) {
            ObjectNode o = list.addObject();
            o.put("pid", p.pid);
            o.put("ppid", p.ppid);
            o.put("comm", p.comm);
            o.put("exe", p.exe);
            if (p.exited()) {
                o.put("exit_code", p.exitCode());
            } else {
                o.putNull("exit_code");
            }
        }
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        GaugeWithCallback.builder().name("aiscope_traced_processes").help("Processes aiscope traces now")
                .callback(cb -> cb.call(liveCount())).register(registry);
    }

    private synchronized long liveCount() {
        return processes.values().stream().filter(p -> !p.exited()).count();
    }
}
