package io.aiscope.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
