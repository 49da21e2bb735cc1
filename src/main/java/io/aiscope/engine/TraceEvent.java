package io.aiscope.engine;

import java.util.Map;

/** One decoded event as {@code aiscope trace} prints it: which family, what happened, where, and its fields. */
public record TraceEvent(String family, String type, long monotonicNs, int pid, int tid, Map<String, Object> fields) {
}
