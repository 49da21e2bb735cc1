package io.aiscope.output.perfetto;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * Writes a Chrome Trace Event Format file ({@code {"traceEvents":[...], "displayTimeUnit":..., "otherData":{...}}})
 * one event at a time, as Perfetto and chrome://tracing read it. Streaming: nothing is held back, so the file can be
 * as large as the recording.
 *
 * <p>Each event starts with {@code ph}, {@code ts} and {@code dur}, and no event has an array at its top level:
 * Perfetto's tokenizer scans an event's keys in order to find those two, and gives up on the whole file when it meets
 * an array on the way. Events go one per line, so that the file greps well.
 */
final class ChromeTraceWriter implements AutoCloseable {
    private static final JsonFactory JSON = new JsonFactory();

    private final JsonGenerator out;
    private final TraceTime time;
    private long written;
    private boolean finished;

    ChromeTraceWriter(OutputStream stream, TraceTime time) throws IOException {
        this.time = time;
        this.out = JSON.createGenerator(stream, JsonEncoding.UTF8);
        out.setPrettyPrinter(new OneEventPerLine());
        out.writeStartObject();
        out.writeFieldName("traceEvents");
        out.writeStartArray();
    }

    /** A complete slice ({@code "X"}) on a thread's track. */
    void complete(String name, String cat, int pid, int tid, long startNs, long durationNs, Map<String, ?> args,
            Flow flow) throws IOException {
        begin("X", startNs);
        out.writeFieldName("dur");
        out.writeNumber(TraceTime.micros(Math.max(0, durationNs)));
        ids(pid, tid);
        names(name, cat);
        flow(flow);
        end(args);
    }

    /** An instant event ({@code "i"}) on a thread's track. */
    void instant(String name, String cat, int pid, int tid, long tsNs, Map<String, ?> args) throws IOException {
        begin("i", tsNs);
        ids(pid, tid);
        names(name, cat);
        out.writeStringField("s", "t");
        end(args);
    }

    /**
     * The start of a nestable async slice ({@code "b"}): on its own track, named by {@code cat} and {@code id}
     * within the process, where it may overlap anything on the thread tracks.
     */
    void asyncBegin(String name, String cat, String id, int pid, int tid, long tsNs, Map<String, ?> args, Flow flow)
            throws IOException {
        begin("b", tsNs);
        ids(pid, tid);
        names(name, cat);
        out.writeStringField("id", id);
        flow(flow);
        end(args);
    }

    /** The end of the innermost open async slice of {@code cat}/{@code id}, which must be named {@code name}. */
    void asyncEnd(String name, String cat, String id, int pid, int tid, long tsNs) throws IOException {
        begin("e", tsNs);
        ids(pid, tid);
        names(name, cat);
        out.writeStringField("id", id);
        end(null);
    }

    void processName(int pid, String name) throws IOException {
        metadata("process_name", pid, pid, name);
    }

    void threadName(int pid, int tid, String name) throws IOException {
        metadata("thread_name", pid, tid, name);
    }

    private void metadata(String kind, int pid, int tid, String name) throws IOException {
        // ts is meaningless for metadata; it is there (at the origin) for readers that want one on every event.
        begin("M", time.originNs());
        ids(pid, tid);
        out.writeStringField("name", kind);
        end(Map.of("name", name));
    }

    /** Trace events written so far. */
    long written() {
        return written;
    }

    /** Closes the event list and writes what follows it; {@code otherData} is free-form, shown by viewers as is. */
    void finish(String displayTimeUnit, Map<String, ?> otherData) throws IOException {
        out.writeEndArray();
        out.writeStringField("displayTimeUnit", displayTimeUnit);
        out.writeFieldName("otherData");
        value(otherData);
        out.writeEndObject();
        out.writeRaw('\n');
        out.flush();
        finished = true;
    }

    void flush() throws IOException {
        out.flush();
    }

    boolean finished() {
        return finished;
    }

    /** Closes the stream (and the file); the JSON is whole only after {@link #finish}. */
    @Override
    public void close() throws IOException {
        out.close();
    }

    private void begin(String ph, long tsNs) throws IOException {
        out.writeStartObject();
        out.writeStringField("ph", ph);
        out.writeFieldName("ts");
        out.writeNumber(time.ts(tsNs));
    }

    private void ids(int pid, int tid) throws IOException {
        out.writeNumberField("pid", pid);
        out.writeNumberField("tid", tid);
    }

    private void names(String name, String cat) throws IOException {
        out.writeStringField("name", name);
        out.writeStringField("cat", cat);
    }

    private void flow(Flow flow) throws IOException {
        if (flow != null) {
            out.writeNumberField("bind_id", flow.id());
            out.writeBooleanField(flow.out() ? "flow_out" : "flow_in", true);
        }
    }

    private void end(Map<String, ?> args) throws IOException {
        if (args != null && !args.isEmpty()) {
            out.writeFieldName("args");
            value(args);
        }
        out.writeEndObject();
        written++;
    }

    private void value(Object v) throws IOException {
        switch (v) {
            case null -> out.writeNull();
            case String s -> out.writeString(s);
            case Integer i -> out.writeNumber(i);
            case Long l -> out.writeNumber(l);
            case Short s -> out.writeNumber(s);
            case Byte b -> out.writeNumber(b);
            case BigInteger b -> out.writeNumber(b);
            case BigDecimal b -> out.writeNumber(b);
            case Boolean b -> out.writeBoolean(b);
            // JSON has no NaN or infinity: such a value is kept as text rather than making the file unreadable.
            case Double d when !Double.isFinite(d) -> out.writeString(d.toString());
            case Float f when !Float.isFinite(f) -> out.writeString(f.toString());
            case Number n -> out.writeNumber(n.doubleValue());
            case Map<?, ?> m -> {
                out.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.writeFieldName(String.valueOf(e.getKey()));
                    value(e.getValue());
                }
                out.writeEndObject();
            }
            case Collection<?> c -> {
                // Only ever inside args, where arrays are allowed.
                out.writeStartArray();
                for (Object o : c) {
                    value(o);
                }
                out.writeEndArray();
            }
            default -> out.writeString(v.toString());
        }
    }

    /** No whitespace inside events, a line break between them. */
    private static final class OneEventPerLine extends MinimalPrettyPrinter {
        private int depth;

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            depth++;
            super.writeStartObject(g);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            depth--;
            super.writeEndObject(g, entries);
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            if (depth == 1) {
                g.writeRaw('\n');
            }
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            super.writeArrayValueSeparator(g);
            if (depth == 1) {
                g.writeRaw('\n');
            }
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (depth == 1) {
                g.writeRaw('\n');
            }
            super.writeEndArray(g, values);
        }
    }
}
