package io.aiscope.probe.proc;

import io.aiscope.correlate.ProcessAction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Non-blocking TCP connects whose outcome the kernel reports in a later record, by the identity both records
 * carry: the process, its struct sock and the connect's timestamp (a socket's address is reused once it is freed;
 * with the time, never). Bounded: past {@link #MAX_PENDING} the oldest is forgotten, and its outcome, should it
 * come, counted lost. Written on the event thread only; {@link #lost} is read from others.
 */
final class PendingConnects {
    static final int MAX_PENDING = 4096;

    /** What identifies one connect in both records. */
    record Key(int pid, long sock, long connectTsNs) {}

    private final Map<Key, ProcessAction.Connect> pending = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ProcessAction.Connect> eldest) {
            return size() > MAX_PENDING; // counted when its outcome comes
        }
    };
    private volatile long lost;

    /** A connect the kernel follows: {@code sock} is the socket its outcome will name. */
    void add(ProcessAction.Connect connect, long sock) {
        pending.put(new Key(connect.pid(), sock, connect.tsNs()), connect);
    }

    /** The outcome of the connect {@code key} names, or null (counted) when that connect is not known. */
    ProcessAction.ConnectResult complete(Key key, long tsNs, long result) {
        ProcessAction.Connect connect = pending.remove(key);
        if (connect == null) {
            lost++;
            return null;
        }
        return new ProcessAction.ConnectResult(tsNs, connect, result);
    }

    /** Outcomes that came for a connect no longer (or never) kept. */
    long lost() {
        return lost;
    }
}
