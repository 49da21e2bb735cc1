package io.aiscope.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A software CPU-clock sampling event on one CPU, opened with perf_event_open(2) for a BPF program to attach to. */
public record PerfEvent(int fd, int cpu) {
    private static final long SYS_PERF_EVENT_OPEN = 298; // x86_64
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_CPU_CLOCK = 0;
    private static final long ATTR_FREQ = 1L << 10;
    private static final int ATTR_SIZE = 128;

    /** Samples every process on {@code cpu} at {@code hz} samples per second. */
    public static PerfEvent cpuClock(int cpu, int hz) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment attr = call.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, PERF_TYPE_SOFTWARE);        // type
            attr.set(ValueLayout.JAVA_INT, 4, ATTR_SIZE);                 // size
            attr.set(ValueLayout.JAVA_LONG, 8, PERF_COUNT_SW_CPU_CLOCK);  // config
            attr.set(ValueLayout.JAVA_LONG, 16, hz);                      // sample_freq
            attr.set(ValueLayout.JAVA_LONG, 40, ATTR_FREQ);               // flags: freq
            long fd;
            try {
                fd = (long) Libbpf.syscall6.invokeExact(Native.state(), SYS_PERF_EVENT_OPEN, attr, -1, cpu, -1, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (fd < 0) {
                throw new BpfException("perf_event_open on cpu " + cpu + " failed", Native.lastErrno());
            }
            return new PerfEvent((int) fd, cpu);
        }
    }
}
