package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connect(2) calls of traced processes, one entry per address, port and result in the order first seen; a
 * non-blocking connect counts under -EINPROGRESS until its outcome moves it to its final result. Bounded: past
 * {@link #MAX_ENTRIES} distinct ones, further calls are only counted.
 */
final class Connects {
    static final int MAX_ENTRIES = 256;

    private record Key(String address, int port, long result) {}

    private final Map<Key, Long> counts = new LinkedHashMap<>();
    private long leftOut;

    synchronized void add(ProcessAction.Connect c) {
        count(new Key(c.address(), c.port(), c.result()));
    }

    /** The connect {@code r} ended: it counts under its outcome instead of what the call returned. */
    synchronized void completed(ProcessAction.ConnectResult r) {
        ProcessAction.Connect c = r.connect();
        Key was = new Key(c.address(), c.port(), c.result());
        Long n = counts.get(was);
        if (n == null) {
            leftOut--; // it was one of those only counted
        } else if (n == 1) {
            counts.remove(was);
        } else {
            counts.put(was, n - 1);
        }
        count(new Key(c.address(), c.port(), r.result()));
    }

    private void count(Key key) {
        if (counts.containsKey(key) || counts.size() < MAX_ENTRIES) {
            counts.merge(key, 1L, Long::sum);
        } else {
            leftOut++;
        }
    }

    /** {@code connects[]}, and the calls not in it. */
    synchronized void write(ObjectNode section) {
        ArrayNode list = section.putArray("connects");
        counts.forEach((k, n) -> list.addObject().put("address", k.address()).put("port", k.port())
                .put("result", k.result()).put("count", n));
        section.put("connects_left_out", leftOut);
    }
}
