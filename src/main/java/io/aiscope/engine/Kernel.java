package io.aiscope.engine;

import io.aiscope.bpf.BpfObject;
import io.aiscope.bpf.BpfProgram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Facts about the running kernel and our privileges that decide what can be traced. */
public final class Kernel {
    private static final int CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private final String release;
    private final long effectiveCaps;

    private Kernel(String release, long effectiveCaps) {
        this.release = release;
        this.effectiveCaps = effectiveCaps;
    }

    public static Kernel current() {
        return new Kernel(readOr(Path.of("/proc/sys/kernel/osrelease"), "unknown").strip(), readCaps());
    }

    private static long readCaps() {
        for (String line : readOr(Path.of("/proc/self/status"), "").split("\n")) {
            if (line.startsWith("CapEff:")) {
                return Long.parseUnsignedLong(line.substring(7).strip(), 16);
            }
        }
        return 0;
    }

    private static String readOr(Path file, String fallback) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return fallback;
        }
    }

    public String release() {
        return release;
    }

    public boolean hasBtf() {
        return Files.isReadable(Path.of("/sys/kernel/btf/vmlinux"));
    }

    /** CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN: what loading tracing programs takes. */
    public boolean canTrace() {
        return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
    }

    private boolean has(int cap) {
        return (effectiveCaps & (1L << cap)) != 0;
    }

    /** kprobes exist when the kernel was built with them (this project's machines: not). */
    public boolean hasKprobes() {
        return Files.exists(Path.of("/sys/bus/event_source/devices/kprobe"));
    }

    /**
     * Switches off the object's tp_btf programs whose tracepoint this kernel lacks (one would fail the whole load)
     * and names them ("program (section)"). The tracepoints are read from the kernel's BTF, where each has a
     * btf_trace_NAME typedef; without BTF to read, every program stays on.
     */
    public List<String> leaveOutMissingTracepoints(BpfObject object) {
        String btf;
        try {
            btf = new String(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return List.of();
        }
        List<String> missing = new ArrayList<>();
        for (BpfProgram p : object.programs()) {
            String section = p.section();
            if (section.startsWith("tp_btf/") && !btf.contains("\0btf_trace_" + section.substring(7) + "\0")) {
                p.setAutoload(false);
                missing.add(p.name() + " (" + section + ")");
            }
        }
        return missing;
    }

    /** Refuses to go on, with the reason, where tracing cannot work at all. */
    public void requireTracing() {
        if (!canTrace()) {
            throw new AiscopeException("tracing needs root (or CAP_BPF and CAP_PERFMON) to load BPF programs: run aiscope with sudo");
        }
        if (!hasBtf()) {
            throw new AiscopeException("this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): aiscope's CO-RE programs"
                    + " need CONFIG_DEBUG_INFO_BTF=y (kernel " + release + ")");
        }
    }
}
