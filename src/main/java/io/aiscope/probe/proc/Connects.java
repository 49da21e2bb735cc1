package io.aiscope.probe.proc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connect(2) calls of traced processes, one entry per address, port and result in the order first seen.
 * Bounded: past {@link #MAX_ENTRIES} distinct ones, further calls are only counted.
 */
final class Connects {
    static final int MAX_ENTRIES = 256;

    private record Key(String address, int port, long result) {}

    private final Map<Key, Long> counts = new LinkedHashMap<>();
    private long leftOut;

    synchronized void add(ProcessAction.Connect c) {
        Key key = new Key(c.address(), c.port(), c.result());
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
