package io.aiscope.probe.cuda;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfException;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;
import io.aiscope.correlate.Activity;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.aiscope.engine.TraceEvent;
import io.aiscope.engine.UprobePlan;
import io.aiscope.symbols.Demangler;
import io.aiscope.symbols.FileLocation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * CUDA runtime calls (libcudart, any copy or version) and driver API calls (libcuda.so.1): memory, copies, kernel
 * launches, synchronisation.
 */
public final class CudaFamily implements ProbeFamily {
    /** cuda.h's AISCOPE_CUDA_NAME_LEN: the bytes a kernel name may take in struct aiscope_cuda_name_event. */
    static final int NAME_LEN = 1024;

    /**
     * The fields of struct aiscope_cuda_event (cuda.h) this decoder reads, located through the object's BTF, and
     * the name of struct aiscope_cuda_name_event (cuModuleGetFunction), which begins with an aiscope_cuda_event.
     */
    static final class Layout {
        final EventLayout.U32 fn, tgid, tid, copyKind, funcDev, inRuntime;
        final EventLayout.S32 ret;
        final EventLayout.U64 startNs, durationNs, ptr, bytes, func, funcInode, funcOffset;
        final EventLayout.Chars name;

        Layout(BpfObject object) {
            EventLayout layout = new EventLayout(object, "aiscope_cuda_event");
            fn = layout.u32("fn");
            tgid = layout.u32("tgid");
            tid = layout.u32("tid");
            ret = layout.s32("ret");
            startNs = layout.u64("start_ns");
            durationNs = layout.u64("duration_ns");
            ptr = layout.u64("ptr");
            bytes = layout.u64("bytes");
            func = layout.u64("func");
            copyKind = layout.u32("copy_kind");
            funcDev = layout.u32("func_dev");
            funcInode = layout.u64("func_inode");
            funcOffset = layout.u64("func_offset");
            inRuntime = layout.u32("in_runtime");
            BtfStruct named = object.struct("aiscope_cuda_name_event");
            if (named.offset("call", layout.size()) != 0) {
                throw new BpfException("struct aiscope_cuda_name_event does not begin with its aiscope_cuda_event");
            }
            name = new EventLayout(object, "aiscope_cuda_name_event").chars("name", NAME_LEN);
        }

        /** The kernel name of a cuModuleGetFunction event, marked "..." where it filled the buffer (cut short). */
        String name(MemorySegment e) {
            String s = name.get(e);
            return s.getBytes(StandardCharsets.UTF_8).length >= NAME_LEN - 1 ? s + "..." : s;
        }

        /** Where the launched (or handle-named) function lives, if the BPF side found its file. */
        FileLocation funcLocation(MemorySegment e) {
            long inode = funcInode.get(e);
            return inode == 0 ? null : FileLocation.fromKernel(funcDev.get(e), inode, funcOffset.get(e));
        }
    }

    private Layout layout;
    private CudaStats stats;
    private Consumer<TraceEvent> trace;
    private boolean traced;
    private Activity activity;

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String summary() {
        return "CUDA runtime and driver: allocations and leaks, copies by direction, kernel launches by name,"
                + " sync waits";
    }

    /** A training step can issue hundreds of thousands of calls a second: room for a second of them. */
    private static final int RING_BYTES = 16 << 20;

    @Override
    public void beforeLoad(BpfObject object, Kernel kernel) {
        object.map("events").setMaxEntries(RING_BYTES);
    }

    @Override
    public void start(FamilyContext context) {
        layout = new Layout(context.object());
        stats = new CudaStats(context.symbols()::resolve, Demangler.create()::demangle);
        trace = context.events();
        activity = context.activity();
        traced = context.wantsEvents();
        List<UprobePlan> plans = new ArrayList<>();
        for (ProbedFunction.Api api : ProbedFunction.Api.values()) {
            plans.add(plan(context.object(), api));
        }
        context.probeLibraries(plans);
    }

    /** The runtime's functions in every file defining them (libcudart.so* on the system), the driver's likewise. */
    private UprobePlan plan(BpfObject object, ProbedFunction.Api api) {
        List<UprobePlan.Probe> probes = new ArrayList<>();
        for (ProbedFunction f : api.functions()) {
            probes.add(new UprobePlan.Probe(f.name(), object.program(f.shape().entryProgram),
                    object.program(f.shape().exitProgram), f.cookie()));
        }
        return new UprobePlan(name(), api.libraryKind, api.fileGlob, probes);
    }

    @Override
    public void onEvent(MemorySegment e) {
        ProbedFunction f = ProbedFunction.byId(layout.fn.getInt(e));
        int pid = layout.tgid.getInt(e);
        if (f.shape() == ProbedFunction.Shape.FUNCTION_NAME) {
            stats.functionNamed(pid, layout.ret.get(e), layout.ptr.get(e), layout.name(e));
        }
        stats.record(f, pid, layout.ret.get(e), layout.startNs.get(e), layout.durationNs.get(e), layout.ptr.get(e),
                layout.bytes.get(e), layout.func.get(e), layout.copyKind.getInt(e), layout.funcLocation(e),
                layout.inRuntime.getInt(e) != 0);
        if (activity.wanted() && layout.inRuntime.getInt(e) == 0) {
            activity.cudaCall(pid, layout.tid.getInt(e), layout.startNs.get(e), layout.durationNs.get(e),
                    f.shape().activity(), layout.bytes.get(e));
        }
        if (traced) {
            trace.accept(traceEvent(f, pid, e));
        }
    }

    private TraceEvent traceEvent(ProbedFunction f, int pid, MemorySegment e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("function", f.name());
        fields.put("ret", layout.ret.get(e));
        fields.put("duration_us", layout.durationNs.get(e) / 1000.0);
        if (layout.inRuntime.getInt(e) != 0) {
            fields.put("inside_runtime", true);
        }
        switch (f.shape()) {
            case ALLOC -> {
                fields.put("bytes", layout.bytes.get(e));
                fields.put("ptr", String.format("0x%x", layout.ptr.get(e)));
            }
            case FREE -> fields.put("ptr", String.format("0x%x", layout.ptr.get(e)));
            case COPY, DIRECTED_COPY -> {
                fields.put("bytes", layout.bytes.get(e));
                fields.put("direction", CopyKind.of(layout.copyKind.getInt(e)).name());
            }
            case LAUNCH -> fields.put("kernel", stats.kernelName(f, pid, layout.func.get(e), layout.funcLocation(e)));
            case FUNCTION_NAME -> {
                fields.put("kernel", stats.demangle(layout.name(e)));
                fields.put("handle", String.format("0x%x", layout.ptr.get(e)));
            }
            default -> { }
        }
        return new TraceEvent(name(), f.name(), layout.startNs.get(e), pid, layout.tid.getInt(e), fields);
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        new CudaReport(stats).write(section, names);
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        new CudaMetrics(stats, names).register(registry);
    }

    /** The view {@code top} reads. */
    public CudaStats stats() {
        return stats;
    }

    /**
     * One line of {@code top}: a process's cumulative counters since attach (diff two calls for rates), except
     * {@code outstandingBytes}, the device memory it holds now.
     */
    public record TopRow(int pid, long calls, long errors, long outstandingBytes, long copiedBytes, long launches,
            long syncBlockedNs) {}

    /** Per-process rows, empty before the family started. */
    public List<TopRow> topRows() {
        return stats == null ? List.of() : stats.topRows();
    }
}
