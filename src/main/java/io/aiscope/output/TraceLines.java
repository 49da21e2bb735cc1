package io.aiscope.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.engine.TraceEvent;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One trace event as one line: readable fixed columns (seconds since the trace began, family, type, pid, tid,
 * comm, then key=value fields), or a JSON object (NDJSON) with ts_ns (CLOCK_MONOTONIC, as the kernel stamped it),
 * family, type, pid, tid, comm and the event's fields.
 */
public final class TraceLines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "%12s %-6s %-22s %7s %7s %-16s %s";

    private final boolean json;
    private final long originNs;
    private final IntFunction<String> comms;

    private TraceLines(boolean json, long originNs, IntFunction<String> comms) {
        this.json = json;
        this.originNs = originNs;
        this.comms = comms;
    }

    /** Readable lines timed from {@code originNs} (System.nanoTime(), which is CLOCK_MONOTONIC on Linux). */
    public static TraceLines text(long originNs, IntFunction<String> comms) {
        return new TraceLines(false, originNs, comms);
    }

    public static TraceLines json(IntFunction<String> comms) {
        return new TraceLines(true, 0, comms);
    }

    /** The column header, for the readable form. */
    public Optional<String> header() {
        return json ? Optional.empty() : Optional.of(String.format(TEXT, "TIME(s)", "FAMILY", "TYPE", "PID", "TID",
                "COMM", "FIELDS").stripTrailing());
    }

    /** The process name: the event's own comm field where it has one (proc events), else the process's. */
    public String comm(TraceEvent e) {
        return e.fields().get("comm") instanceof String c ? c : comms.apply(e.pid());
    }

    public String format(TraceEvent e) {
        return json ? json(e) : text(e);
    }

    private String text(TraceEvent e) {
        StringBuilder fields = new StringBuilder();
        for (Map.Entry<String, Object> f : e.fields().entrySet()) {
            if (f.getKey().equals("comm") || e.type().equals(f.getValue())) {
                continue; // already in its column (cuda's function=)
            }
            if (!fields.isEmpty()) {
                fields.append(' ');
            }
            fields.append(f.getKey()).append('=').append(textValue(f.getValue()));
        }
        long micros = (e.monotonicNs() - originNs) / 1000L;
        String time = String.format(Locale.ROOT, "%s%d.%06d", micros < 0 ? "-" : "", Math.abs(micros) / 1_000_000L,
                Math.abs(micros) % 1_000_000L);
        return String.format(Locale.ROOT, TEXT, time, e.family(), e.type(), e.pid(), e.tid(), comm(e), fields)
                .stripTrailing();
    }

    private static String textValue(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue());
        }
        String s = String.valueOf(v);
        if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
        }
        return s;
    }

    private String json(TraceEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ts_ns", e.monotonicNs());
        o.put("family", e.family());
        o.put("type", e.type());
        o.put("pid", e.pid());
        o.put("tid", e.tid());
        o.put("comm", comm(e));
        for (Map.Entry<String, Object> f : e.fields().entrySet()) {
            if (!o.has(f.getKey())) {
                putValue(o, f.getKey(), f.getValue());
            }
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static void putValue(ObjectNode o, String key, Object v) {
        switch (v) {
            case null -> o.putNull(key);
            case Integer i -> o.put(key, i);
            case Long l -> o.put(key, l);
            case Double d -> o.put(key, d);
            case Float f -> o.put(key, f);
            case Number n -> o.put(key, n.longValue());
            case Boolean b -> o.put(key, b);
            case Map<?, ?> m -> o.set(key, JSON.valueToTree(m));
            case java.util.Collection<?> c -> o.set(key, JSON.valueToTree(c));
            default -> o.put(key, v.toString());
        }
    }
}
