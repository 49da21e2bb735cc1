package io.aiscope.bpf;

import java.lang.foreign.MemorySegment;

/** What this machine's libbpf and kernel support, asked directly (for {@code aiscope doctor}). */
public final class BpfSupport {
    /** BPF program types, by their {@code enum bpf_prog_type} value. */
    public enum ProgramType {
        KPROBE(2), TRACEPOINT(5), PERF_EVENT(7), RAW_TRACEPOINT(17), TRACING(26);

        final int id;

        ProgramType(int id) {
            this.id = id;
        }
    }

    private BpfSupport() {}

    /** The version of the libbpf aiscope runs on, "major.minor"; throws {@link BpfException} if it is missing. */
    public static String libbpfVersion() {
        return Native.call(Libbpf.libbpf_major_version) + "." + Native.call(Libbpf.libbpf_minor_version);
    }

    /**
     * Whether the kernel loads a trivial program of {@code type} (libbpf_probe_bpf_prog_type): loading only, so a
     * type can load and still fail to attach (kprobes without CONFIG_KPROBES).
     */
    public static boolean loads(ProgramType type) {
        int rc = (int) Native.call(Libbpf.libbpf_probe_bpf_prog_type, type.id, MemorySegment.NULL);
        if (rc < 0) {
            throw new BpfException("probing program type " + type, -rc);
        }
        return rc == 1;
    }

    /** Whether the kernel creates uprobe_multi links (6.6+): many uprobes in one link, detached together. */
    public static boolean uprobeMulti() {
        return UprobeMulti.supported();
    }

    /** Opens and closes a CPU-clock sampling event on CPU 0: what CPU profiling attaches to. */
    public static void checkPerfEvent() {
        PerfEvent event = PerfEvent.cpuClock(0, 99);
        try {
            int ignored = (int) Libbpf.close.invokeExact(event.fd());
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
