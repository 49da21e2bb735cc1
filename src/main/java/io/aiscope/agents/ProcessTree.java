package io.aiscope.agents;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parent links of traced processes, from their forks: which traced tree a process belongs to. A process whose
 * parent was never seen forking it (the launched command, a -p PID) is the root of its tree. Bounded: the oldest
 * links go first, and a process whose link went is its own root from then on.
 */
final class ProcessTree {
    private static final int MAX_PROCESSES = 200_000;
    /** Deeper chains than this are cut (a fork loop would otherwise walk them all for every action). */
    private static final int MAX_DEPTH = 64;

    private final Map<Integer, Integer> parents = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
            return size() > MAX_PROCESSES;
        }
    };

    void forked(int pid, int ppid) {
        if (pid != ppid) {
            parents.put(pid, ppid);
        }
    }

    /** The traced ancestor at the top of {@code pid}'s tree ({@code pid} itself for a root). */
    int root(int pid) {
        int p = pid;
        for (int i = 0; i < MAX_DEPTH; i++) {
            Integer parent = parents.get(p);
            if (parent == null) {
                return p;
            }
            p = parent;
        }
        return p;
    }

    /** {@code pid} and its known ancestors, nearest first. */
    List<Integer> ancestry(int pid) {
        List<Integer> chain = new ArrayList<>();
        Integer p = pid;
        for (int i = 0; i < MAX_DEPTH && p != null; i++) {
            chain.add(p);
            p = parents.get(p);
        }
        return chain;
    }

    /** How many forks separate {@code pid} from {@code ancestor}; -1 when it does not descend from it. */
    int depthBelow(int pid, int ancestor) {
        int p = pid;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (p == ancestor) {
                return depth;
            }
            Integer parent = parents.get(p);
            if (parent == null) {
                return -1;
            }
            p = parent;
        }
        return -1;
    }
}
