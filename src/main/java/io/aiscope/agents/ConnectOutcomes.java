package io.aiscope.agents;

import io.aiscope.correlate.ProcessAction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How non-blocking connects ended, kept beside the connects themselves: the outcome arrives after its connect was
 * kept (its handshake takes a round trip, or the caller's timeout), and the chains are made only when an output
 * asks. Bounded like the actions it completes; not thread-safe (the correlator's lock guards it).
 */
final class ConnectOutcomes {
    private final Map<ProcessAction.Connect, ProcessAction.ConnectResult> byConnect;

    ConnectOutcomes(int capacity) {
        this.byConnect = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<ProcessAction.Connect, ProcessAction.ConnectResult> eldest) {
                return size() > capacity;
            }
        };
    }

    void add(ProcessAction.ConnectResult r) {
        byConnect.put(r.connect(), r);
    }

    /** The outcome of {@code action} when it is a connect whose outcome came, else null. */
    ProcessAction.ConnectResult of(ProcessAction action) {
        return action instanceof ProcessAction.Connect c ? byConnect.get(c) : null;
    }
}
