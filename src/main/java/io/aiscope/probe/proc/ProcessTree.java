package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The traced processes, their programs and their ends, in the order they appeared. Bounded: past its capacity
 * the processes that exited first make room, and a new process that finds every place taken by a live one is
 * left out; both are counted.
 */
final class ProcessTree {
    private final int capacity;
    private final Map<Integer, ProcessInfo> processes = new LinkedHashMap<>();
    /** Pids in the order they exited, the next to let go first (an entry may be stale after pid reuse). */
    private final ArrayDeque<Integer> exitOrder = new ArrayDeque<>();
    private long processesLeftOut;
    private long execsLeftOut;

    ProcessTree(int capacity) {
        this.capacity = capacity;
    }

    /** A process aiscope began tracing while it ran: what /proc said of it. */
    synchronized void seed(int pid, String comm, int ppid, Argv argv) {
        update(pid, p -> {
            p.comm = comm;
            p.ppid = ppid;
            p.argv = argv;
        });
    }

    synchronized void fork(long tsNs, int pid, int ppid, String comm) {
        ProcessInfo old = processes.get(pid);
        if (old != null && old.exited()) {
            forget(old); // the pid was used again
        }
        update(pid, p -> {
            p.ppid = ppid;
            p.comm = comm;
            p.startNs = tsNs;
        });
    }

    synchronized void exec(int pid, ProcessInfo.Exec image) {
        if (!update(pid, p -> {
            p.comm = image.comm();
            execsLeftOut += p.exec(image);
        })) {
            execsLeftOut++;
        }
    }

    /** Returns the exit code as a shell reports it. */
    synchronized int exit(long tsNs, int pid, String comm, int waitStatus) {
        update(pid, p -> {
            p.comm = comm;
            p.waitStatus = waitStatus;
            p.exitNs = tsNs;
            exitOrder.addLast(pid);
        });
        return ProcessInfo.shellCode(waitStatus);
    }

    /** Applies {@code change} to the process's record, made if there is room; false when it was left out. */
    private boolean update(int pid, Consumer<ProcessInfo> change) {
        ProcessInfo p = processes.get(pid);
        if (p == null) {
            p = place(pid);
        }
        if (p == null) {
            return false;
        }
        change.accept(p);
        return true;
    }

    /** A new record, after letting go of the earliest exited ones past the capacity; null when all live. */
    private ProcessInfo place(int pid) {
        while (processes.size() >= capacity && !exitOrder.isEmpty()) {
            ProcessInfo oldest = processes.get(exitOrder.pollFirst());
            if (oldest != null && oldest.exited()) {
                forget(oldest);
            }
        }
        if (processes.size() >= capacity) {
            processesLeftOut++;
            return null;
        }
        ProcessInfo p = new ProcessInfo(pid);
        processes.put(pid, p);
        return p;
    }

    private void forget(ProcessInfo p) {
        processes.remove(p.pid);
        processesLeftOut++;
        execsLeftOut += p.execs.size();
    }

    synchronized long live() {
        return processes.values().stream().filter(p -> !p.exited()).count();
    }

    /** {@code processes[]} and {@code execs[]}, times in ms since {@code originNs}. */
    synchronized void write(ObjectNode section, long originNs) {
        record Image(ProcessInfo process, ProcessInfo.Exec exec) {}
        List<Image> images = new ArrayList<>();
        ArrayNode list = section.putArray("processes");
        for (ProcessInfo p : processes.values()) {
            ObjectNode o = list.addObject();
            o.put("pid", p.pid);
            o.put("ppid", p.ppid);
            o.put("comm", p.comm);
            o.put("exe", p.exe);
            p.argv.args().forEach(o.putArray("argv")::add);
            if (p.startNs != 0) {
                o.put("start_ms", ms(p.startNs, originNs));
            }
            putExit(o, p, originNs);
            p.execs.forEach(x -> images.add(new Image(p, x)));
        }
        section.put("processes_left_out", processesLeftOut);
        images.sort(Comparator.comparingLong(i -> i.exec.tsNs()));
        ArrayNode execs = section.putArray("execs");
        for (Image i : images) {
            ObjectNode o = execs.addObject();
            o.put("pid", i.process.pid);
            o.put("ppid", i.process.ppid);
            o.put("filename", i.exec.filename());
            o.put("comm", i.exec.comm());
            i.exec.argv().args().forEach(o.putArray("argv")::add);
            o.put("argv_truncated", i.exec.argv().cut());
            o.put("start_ms", ms(i.exec.tsNs(), originNs));
            putExit(o, i.process, originNs);
        }
        section.put("execs_left_out", execsLeftOut);
    }

    private static void putExit(ObjectNode o, ProcessInfo p, long originNs) {
        if (p.exited()) {
            o.put("exit_code", p.exitCode());
            o.put("exit_ms", ms(p.exitNs, originNs));
        } else {
            o.putNull("exit_code");
        }
    }

    private static double ms(long ns, long originNs) {
        return Math.round((ns - originNs) / 1e5) / 10.0;
    }
}
