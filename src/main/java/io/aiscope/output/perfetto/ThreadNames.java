package io.aiscope.output.perfetto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Names of the processes and threads that events come from, for the trace's metadata. A thread's name is read from
 * {@code /proc/PID/task/TID/comm} the first time the thread is seen, on the event thread ({@link #observe}): by the
 * time the writer gets to the event, a short-lived thread may have exited and its name be gone. That is one small
 * read per thread, ever. A thread whose name could not be read gets its process's name, which is what the kernel
 * gives a new thread unless it renames itself.
 */
final class ThreadNames {
    private static final String UNKNOWN = "";

    private final IntFunction<String> processes;
    private final Path proc;
    private final Map<Long, String> threads = new ConcurrentHashMap<>();
    private final Set<Integer> processesSeen = ConcurrentHashMap.newKeySet();

    /** {@code processes}: the session's names (comm by pid, kept after processes exit). */
    ThreadNames(IntFunction<String> processes) {
        this(processes, Path.of("/proc"));
    }

    ThreadNames(IntFunction<String> processes, Path proc) {
        this.processes = processes;
        this.proc = proc;
    }

    private static long key(int pid, int tid) {
        return ((long) pid << 32) | (tid & 0xffffffffL);
    }

    /** On the event thread: remembers the names of a process and thread seen for the first time. */
    void observe(int pid, int tid) {
        if (processesSeen.add(pid)) {
            processes.apply(pid); // the session's names keep it from now on
        }
        threads.computeIfAbsent(key(pid, tid), k -> read(pid, tid));
    }

    String process(int pid) {
        String name = processes.apply(pid);
        if (name == null || name.isEmpty() || name.equals("?")) {
            String main = threads.get(key(pid, pid));
            return main == null || main.isEmpty() ? "pid " + pid : main;
        }
        return name;
    }

    String thread(int pid, int tid) {
        String name = threads.computeIfAbsent(key(pid, tid), k -> read(pid, tid));
        return name.isEmpty() ? process(pid) : name;
    }

    /** A process that exec'd is now called {@code comm}, and so is its main thread. */
    void renamed(int pid, String comm) {
        threads.put(key(pid, pid), comm);
    }

    private String read(int pid, int tid) {
        try {
            return Files.readString(proc.resolve(pid + "/task/" + tid + "/comm")).strip();
        } catch (IOException | RuntimeException gone) {
            return UNKNOWN;
        }
    }
}
