package io.aiscope.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names (comm) of the processes seen, kept after they exit, and the bounded set of processes that get their
 * own metric labels: past {@code maxLabelled} processes, the rest share pid="other", so a fork-heavy workload
 * cannot blow up a time-series database.
 */
public final class ProcessNames {
    public static final String OTHER = "other";

    private final Map<Integer, String> comms = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> labelled;
    private final int maxLabelled;

    public ProcessNames(int maxLabelled) {
        this.maxLabelled = maxLabelled;
        this.labelled = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    }

    public void remember(int pid, String comm) {
        if (comm != null && !comm.isEmpty()) {
            comms.put(pid, comm);
        }
    }

    /** The command name, read from /proc the first time if no event told us. */
    public String comm(int pid) {
        return comms.computeIfAbsent(pid, p -> {
            try {
                return Files.readString(Path.of("/proc/" + p + "/comm")).strip();
            } catch (IOException e) {
                return "?";
            }
        });
    }

    /** The pid label for a process: its own while the budget lasts, "other" after. */
    public String pidLabel(int pid) {
        synchronized (labelled) {
            if (labelled.containsKey(pid) || labelled.size() < maxLabelled) {
                labelled.put(pid, Boolean.TRUE);
                return Integer.toString(pid);
            }
        }
        return OTHER;
    }

    public String commLabel(int pid) {
        return OTHER.equals(pidLabel(pid)) ? OTHER : comm(pid);
    }
}
