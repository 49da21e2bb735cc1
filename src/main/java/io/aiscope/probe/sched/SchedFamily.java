package io.aiscope.probe.sched;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfMap;
import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BtfStruct;
import io.aiscope.bpf.EventLayout;
import io.aiscope.engine.FamilyContext;
import io.aiscope.engine.Kernel;
import io.aiscope.engine.ProbeFamily;
import io.aiscope.engine.ProcessNames;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scheduler's view of traced processes: run-queue latency (runnable → on CPU), context switches (voluntary or
 * not) and off-CPU time. Everything is aggregated in the kernel, per process; {@link #collect()} copies the
 * per-process map into this family's view. No ring events: sched_switch fires too often to stream.
 */
public final class SchedFamily implements ProbeFamily {
    private BpfMap statsMap;
    private long slotsOffset;
    private EventLayout.U64 count, sumUs, maxUs, switches, involuntary, offCpuNs;
    /** Cumulative per-process values, replaced whole on each collect: readers on other threads see a snapshot. */
    private volatile Map<Integer, ProcessSched> processes = Map.of();

    @Override
    public String name() {
        return "sched";
    }

    @Override
    public String summary() {
        return "scheduler: run-queue latency histogram, voluntary/involuntary context switches, off-CPU time";
    }

    /** The ring stays empty (no events): the smallest size valid for any page size, instead of the default. */
    @Override
    public void beforeLoad(BpfObject object, Kernel kernel) {
        object.map("events").setMaxEntries(1 << 16);
    }

    @Override
    public void start(FamilyContext context) {
        BpfObject object = context.object();
        EventLayout layout = new EventLayout(object, "aiscope_sched_stats");
        BtfStruct struct = object.struct("aiscope_sched_stats");
        slotsOffset = struct.offset("slots", 8L * Log2Histogram.SLOTS);
        count = layout.u64("count");
        sumUs = layout.u64("sum_us");
        maxUs = layout.u64("max_us");
        switches = layout.u64("switches");
        involuntary = layout.u64("involuntary");
        offCpuNs = layout.u64("off_cpu_ns");
        statsMap = object.map("stats");
        object.programs().forEach(context::attachOrReport);
    }

    @Override
    public void onEvent(MemorySegment event) {
        // The BPF side emits no events; its ring exists because every object has one.
    }

    /** Synchronized: the housekeeping thread and a final drain may collect at once; the newest read must win. */
    @Override
    public synchronized void collect() {
        if (statsMap == null) {
            return;
        }
        Map<Integer, ProcessSched> next = new TreeMap<>(processes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(statsMap.valueSize(), 8);
            for (MemorySegment key : statsMap.keys(arena)) {
                if (statsMap.lookup(key, value)) {
                    int pid = key.get(ValueLayout.JAVA_INT, 0);
                    next.put(pid, decode(pid, value));
                }
            }
        }
        processes = Collections.unmodifiableMap(next);
    }

    private ProcessSched decode(int pid, MemorySegment v) {
        long[] slots = new long[Log2Histogram.SLOTS];
        MemorySegment.copy(v, ValueLayout.JAVA_LONG, slotsOffset, slots, 0, slots.length);
        return new ProcessSched(pid, slots, count.get(v), sumUs.get(v), maxUs.get(v), switches.get(v),
                involuntary.get(v), offCpuNs.get(v));
    }

    /** Per-process values as of the last collect, by pid; cumulative since attach (exited processes included). */
    public Map<Integer, ProcessSched> processes() {
        return processes;
    }

    /** One line of {@code top}: cumulative counters (diff two calls for rates). */
    public record TopRow(int pid, long runqueueP99Us, long contextSwitches, long involuntarySwitches,
            double offCpuMs) {}

    public List<TopRow> topRows() {
        List<TopRow> rows = new ArrayList<>();
        for (ProcessSched p : processes.values()) {
            rows.add(new TopRow(p.pid(), p.quantileUs(0.99), p.switches(), p.involuntary(), p.offCpuMs()));
        }
        return rows;
    }

    /** All processes summed. */
    static ProcessSched total(Iterable<ProcessSched> all) {
        ProcessSched t = ProcessSched.empty(0);
        for (ProcessSched p : all) {
            t = t.plus(p);
        }
        return t;
    }

    @Override
    public void report(ObjectNode section, ProcessNames names) {
        Map<Integer, ProcessSched> view = processes;
        write(section, total(view.values()));
        ArrayNode list = section.putArray("processes");
        for (ProcessSched p : view.values()) {
            ObjectNode o = list.addObject();
            o.put("pid", p.pid());
            o.put("comm", names.comm(p.pid()));
            write(o, p);
        }
    }

    static void write(ObjectNode out, ProcessSched p) {
        ObjectNode latency = out.putObject("runqueue_latency_us");
        latency.put("count", p.count());
        latency.put("p50", p.quantileUs(0.50));
        latency.put("p99", p.quantileUs(0.99));
        latency.put("max", p.maxUs());
        latency.put("mean", p.count() == 0 ? 0.0 : (double) p.sumUs() / p.count());
        // Waits per slot (not cumulative): those shorter than le_us and not counted in an earlier entry.
        ArrayNode histogram = latency.putArray("histogram");
        int last = -1;
        for (int i = 0; i < Log2Histogram.SLOTS; i++) {
            if (p.slots()[i] != 0) {
                last = i;
            }
        }
        for (int i = 0; i <= last; i++) {
            ObjectNode b = histogram.addObject();
            double le = Log2Histogram.upperBound(i);
            if (Double.isInfinite(le)) {
                b.putNull("le_us");
            } else {
                b.put("le_us", (long) le);
            }
            b.put("count", p.slots()[i]);
        }
        out.put("context_switches", p.switches());
        out.put("involuntary_switches", p.involuntary());
        out.put("off_cpu_ms", p.offCpuMs());
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry, ProcessNames names) {
        new SchedMetrics(this::processes, names).register(registry);
    }
}
