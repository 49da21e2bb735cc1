package io.aiscope.agents;

import io.aiscope.correlate.ProcessAction;
import io.aiscope.correlate.TracedRequest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ties each LLM call a traced process makes to the actions that follow it in the caller's process tree (the caller
 * and its descendants): commands run, files opened for writing, connections made. An action belongs to the call,
 * made by its own process or an ancestor, whose response ended last before it, if that was at most the window ago;
 * so a chain runs from one answer to the next call's answer. Actions of the caller's parent or siblings are not
 * its effects: a script that runs a load test and then something else did not do the second because of the
 * first's answers (the price: a shell agent that calls the API through a curl child shows no effects).
 *
 * <p>Calls arrive one ring pass after they ended, actions as they happen, so an action can arrive before the call
 * it follows; both are kept and the chains are made when an output asks ({@link #turns}). Fed on the event
 * thread, read by outputs on theirs.
 */
public final class AgentCorrelator {
    /** Calls kept for the outputs; older ones are counted only. */
    static final int MAX_CALLS = 10_000;
    /** Actions kept per process tree, newest last. */
    static final int MAX_ACTIONS_PER_TREE = 50_000;
    /** Effects listed under one call; more are counted. */
    static final int MAX_EFFECTS_PER_CALL = 200;
    /** A connect this close before a call of the same process on the same port is that call's own connection. */
    private static final long OWN_CONNECT_NS = 5_000_000_000L;
    /** Writes there are the plumbing of commands (/dev/null, ttys, pipes), not effects on the world. */
    private static final List<String> NOT_EFFECTS = List.of("/dev/", "/proc/", "/sys/");

    private final long windowNs;
    private final ProcessTree tree = new ProcessTree();
    private final Deque<ObservedCall> calls = new ArrayDeque<>();
    private final Map<Integer, Deque<ProcessAction>> actionsByRoot = new HashMap<>();
    private final Map<Integer, Integer> exitCodes = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
            return size() > MAX_ACTIONS_PER_TREE;
        }
    };
    private final ConnectOutcomes connectOutcomes = new ConnectOutcomes(MAX_ACTIONS_PER_TREE);
    private long callsSeen;
    private long actionsLeftOut;

    /** @param windowNs how long after a call's response an action can still follow from it */
    public AgentCorrelator(long windowNs) {
        if (windowNs <= 0) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowNs = windowNs;
    }

    public long windowNs() {
        return windowNs;
    }

    /** A finished request: kept when it is an LLM API call the traced process made. */
    public void request(TracedRequest request) {
        ObservedCall call = ObservedCall.of(request);
        if (call != null) {
            call(call);
        }
    }

    synchronized void call(ObservedCall call) {
        callsSeen++;
        calls.addLast(call);
        if (calls.size() > MAX_CALLS) {
            calls.removeFirst();
        }
    }

    public synchronized void action(ProcessAction action) {
        switch (action) {
            case ProcessAction.Fork f -> tree.forked(f.pid(), f.ppid());
            case ProcessAction.Exit e -> exitCodes.put(e.pid(), e.exitCode());
            case ProcessAction.Exec e -> keep(e);
            case ProcessAction.Connect c -> keep(c);
            case ProcessAction.ConnectResult r -> connectOutcomes.add(r);
            case ProcessAction.FileOpen f -> {
                if (f.forWriting() && NOT_EFFECTS.stream().noneMatch(f.path()::startsWith)) {
                    keep(f);
                }
            }
        }
    }

    private void keep(ProcessAction action) {
        Deque<ProcessAction> actions = actionsByRoot.computeIfAbsent(tree.root(action.pid()), r -> new ArrayDeque<>());
        actions.addLast(action);
        if (actions.size() > MAX_ACTIONS_PER_TREE) {
            actions.removeFirst();
            actionsLeftOut++;
        }
    }

    /** LLM calls seen since the start, including those no longer kept. */
    public synchronized long callsSeen() {
        return callsSeen;
    }

    /** Actions dropped from full per-tree buffers before any output read them. */
    public synchronized long actionsLeftOut() {
        return actionsLeftOut;
    }

    /** The kept calls that ended at or after {@code sinceNs}, oldest first, each with what followed it. */
    public synchronized List<AgentTurn> turns(long sinceNs) {
        Map<Integer, List<ObservedCall>> callsByPid = new HashMap<>();
        for (ObservedCall c : calls) {
            callsByPid.computeIfAbsent(c.pid(), p -> new ArrayList<>()).add(c);
        }
        callsByPid.values().forEach(list -> list.sort(Comparator.comparingLong(ObservedCall::endNs)));
        Map<ObservedCall, List<Effect>> effects = new HashMap<>();
        Map<ObservedCall, Integer> leftOut = new HashMap<>();
        for (Deque<ProcessAction> actions : actionsByRoot.values()) {
            for (ProcessAction a : actions) {
                ObservedCall c = followedCall(a, callsByPid);
                if (c == null) {
                    continue;
                }
                List<Effect> list = effects.computeIfAbsent(c, k -> new ArrayList<>());
                if (list.size() < MAX_EFFECTS_PER_CALL) {
                    list.add(new Effect(a, a.tsNs() - c.endNs(), tree.depthBelow(a.pid(), c.pid()),
                            a instanceof ProcessAction.Exec ? exitCodes.get(a.pid()) : null, connectOutcomes.of(a)));
                } else {
                    leftOut.merge(c, 1, Integer::sum);
                }
            }
        }
        List<AgentTurn> turns = new ArrayList<>();
        for (ObservedCall c : calls) {
            if (c.endNs() >= sinceNs) {
                List<Effect> list = new ArrayList<>(effects.getOrDefault(c, List.of()));
                list.sort(Comparator.comparingLong(Effect::afterNs));
                turns.add(new AgentTurn(c, List.copyOf(list), leftOut.getOrDefault(c, 0)));
            }
        }
        return turns;
    }

    /** The call {@code a} follows: the last answered before it by its process or an ancestor, within the window. */
    private ObservedCall followedCall(ProcessAction a, Map<Integer, List<ObservedCall>> callsByPid) {
        ObservedCall best = null;
        for (int pid : tree.ancestry(a.pid())) {
            List<ObservedCall> own = callsByPid.get(pid);
            ObservedCall c = own == null ? null : lastEndedBefore(own, a.tsNs());
            if (c != null && (best == null || c.endNs() > best.endNs())) {
                best = c;
            }
        }
        if (best == null || a.tsNs() - best.endNs() > windowNs || isOwnConnection(a, callsByPid.get(a.pid()))) {
            return null;
        }
        return best;
    }

    /** The call of {@code sorted} (by end) that ended last at or before {@code tsNs}. */
    private static ObservedCall lastEndedBefore(List<ObservedCall> sorted, long tsNs) {
        int lo = 0, hi = sorted.size() - 1, found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted.get(mid).endNs() <= tsNs) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? null : sorted.get(found);
    }

    /** A connect that opened the connection of a later LLM call by the same process: plumbing, not an effect. */
    private static boolean isOwnConnection(ProcessAction a, List<ObservedCall> calls) {
        if (!(a instanceof ProcessAction.Connect c) || calls == null) {
            return false;
        }
        for (ObservedCall call : calls) {
            if (call.pid() == c.pid() && call.remotePort() == c.port()
                    && call.startNs() >= c.tsNs() && call.startNs() - c.tsNs() <= OWN_CONNECT_NS) {
                return true;
            }
        }
        return false;
    }
}
