package io.aiscope.engine;

import io.aiscope.bpf.BpfMap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The kernel-side set of traced processes (tgids). The proc family's BPF program adds children at fork and
 * removes processes at exit, so Java only seeds it.
 */
public final class Targets {
    private final BpfMap targets;
    private final BpfMap settings;

    Targets(BpfMap targets, BpfMap settings) {
        this.targets = targets;
        this.settings = settings;
    }

    /**
     * Traces every process except aiscope itself ({@code traceAll}), or the seeded ones; {@code stopOnLoad}: a
     * traced process whose loader maps libraries waits, stopped, until they are probed.
     */
    void configure(boolean traceAll, boolean stopOnLoad) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(settings.valueSize(), 8);
            value.set(ValueLayout.JAVA_INT, 0, traceAll ? 1 : 0);
            value.set(ValueLayout.JAVA_INT, 4, (int) ProcessHandle.current().pid());
            value.set(ValueLayout.JAVA_INT, 8, stopOnLoad ? 1 : 0);
            settings.update(a.allocateFrom(ValueLayout.JAVA_INT, 0), value);
        }
    }

    /** Traces {@code pid} and its existing descendants; new ones are followed in the kernel. */
    public List<Integer> addWithDescendants(int pid) {
        if (!Files.isDirectory(Path.of("/proc/" + pid))) {
            throw new AiscopeException("no process with PID " + pid);
        }
        List<Integer> added = new ArrayList<>();
        addOne(pid, pid);
        added.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> {
            addOne((int) d.pid(), pid);
            added.add((int) d.pid());
        }));
        return added;
    }

    public void addOne(int pid, int origin) {
        try (Arena a = Arena.ofConfined()) {
            targets.update(a.allocateFrom(ValueLayout.JAVA_INT, pid), a.allocateFrom(ValueLayout.JAVA_INT, origin));
        }
    }

    /** The traced processes now alive, as the kernel map holds them. */
    public List<Integer> current() {
        try (Arena a = Arena.ofConfined()) {
            return targets.keys(a).stream().map(k -> k.get(ValueLayout.JAVA_INT, 0)).distinct().toList();
        }
    }

    /** Every live process, for trace-all mode's library scans. */
    static List<Integer> allProcesses() {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::parseInt).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
