package io.aiscope.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.bpf.BpfObject;
import io.aiscope.target.ProcessMaps;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.lang.foreign.MemorySegment;

/**
 * A probe family: one BPF object (its C source and header live in the family's package folder), the Java that
 * decodes its events and aggregates them, and its part of each output. Families are listed once, in
 * {@link Families}; every command reads that list.
 */
public interface ProbeFamily {
    /** Short name used by {@code --probes} and as the report section ("cuda", "sched", "tcp"). */
    String name();

    /** One line for {@code --help} and {@code doctor}. */
    String summary();

    /** Opens the family's BPF object, shipped next to the family's class as {@code <name>.bpf.o}. */
    default BpfObject open() {
        return BpfObject.open(getClass(), name() + ".bpf.o");
    }

    /** Before load: switch off programs this kernel refuses, size maps. */
    default void beforeLoad(BpfObject object, Kernel kernel) {}

    /** After load: bind decoders to the object's BTF and attach the kernel-side programs. */
    void start(FamilyContext context);

    /** One record from the family's ring, on the event thread; the segment is valid only during the call. */
    void onEvent(MemorySegment event);

    /**
     * On the event thread, after a pass over every ring: each ring has been read up to a moment after the pass
     * began, so events of other families that happened before an event of the previous pass have arrived.
     */
    default void eventsRead() {}

    /**
     * A traced process's memory map was read (it started, loaded libraries, or a periodic rescan came round): on the
     * housekeeping thread, repeatedly for the same process, so keep it cheap on files seen before.
     */
    default void processMapped(int pid, ProcessMaps maps) {}

    /** Reads in-kernel aggregates (histograms, counters) into the family's view; called periodically and at the end. */
    default void collect() {}

    /** Writes the family's section of the run report. */
    void report(ObjectNode section, ProcessNames names);

    /** Registers the family's metrics; values are read from the family's view at scrape time. */
    void registerMetrics(PrometheusRegistry registry, ProcessNames names);
}
