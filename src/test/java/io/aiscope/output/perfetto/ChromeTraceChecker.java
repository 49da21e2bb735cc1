package io.aiscope.output.perfetto;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A strict reader of Chrome Trace Event Format files, standing in for Perfetto's importer (trace_processor is not
 * available offline). Beyond the format itself it checks what Perfetto's JSON importer needs to show a trace whole:
 *
 * <ul>
 *   <li>every event has {@code ph}, {@code ts}, {@code pid} and {@code tid}; no event has an array at its top level
 *       (Perfetto's tokenizer rejects the whole file then); {@code args} is an object;</li>
 *   <li>{@code ts} and {@code dur} give the same nanosecond whether read from the decimal text (as Perfetto reads
 *       {@code ts}) or as a double times 1000, truncated (as it reads {@code dur});</li>
 *   <li>on each thread track, complete slices, B/E pairs and thread instants nest after sorting the way Perfetto
 *       sorts (time; ends first; complete slices longer first; then file order), with a depth under 255;</li>
 *   <li>on each async track ({@code cat} + {@code id}), b/e pairs match by name and nest, both in file order for equal
 *       times and with ends first;</li>
 *   <li>flows: each v2 {@code bind_id} has one {@code flow_out} and one {@code flow_in} on a slice event, in time
 *       order; each v1 {@code s} has its {@code f};</li>
 *   <li>every process and every thread with events has its name (metadata).</li>
 * </ul>
 */
public final class ChromeTraceChecker {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> PHASES = Set.of("X", "B", "E", "i", "I", "b", "e", "n", "M", "s", "t", "f", "C");
    private static final Set<String> METADATA = Set.of("process_name", "thread_name", "process_sort_index",
            "thread_sort_index", "process_labels");
    private static final int MAX_DEPTH = 255;

    /** A parsed, checked trace. */
    public record Trace(JsonNode root, List<JsonNode> events) {
        public List<JsonNode> events(Predicate<JsonNode> p) {
            return events.stream().filter(p).toList();
        }

        public List<JsonNode> ph(String ph) {
            return events(e -> e.path("ph").asText().equals(ph));
        }

        /** Slices of a category, wherever they went: complete slices and async begins. */
        public List<JsonNode> slices(String cat) {
            return events(e -> cat.equals(e.path("cat").asText())
                    && (e.path("ph").asText().equals("X") || e.path("ph").asText().equals("b")));
        }

        public Map<Integer, String> processNames() {
            Map<Integer, String> m = new LinkedHashMap<>();
            ph("M").stream().filter(e -> e.path("name").asText().equals("process_name"))
                    .forEach(e -> m.put(e.get("pid").asInt(), e.path("args").path("name").asText()));
            return m;
        }

        public Map<Integer, String> threadNames() {
            Map<Integer, String> m = new LinkedHashMap<>();
            ph("M").stream().filter(e -> e.path("name").asText().equals("thread_name"))
                    .forEach(e -> m.put(e.get("tid").asInt(), e.path("args").path("name").asText()));
            return m;
        }

        public JsonNode otherData() {
            return root.path("otherData");
        }
    }

    private ChromeTraceChecker() {}

    public static Trace check(Path file) throws IOException {
        return check(JSON.readTree(file.toFile()));
    }

    public static Trace check(String json) throws IOException {
        return check(JSON.readTree(json));
    }

    /** Nanoseconds as Perfetto reads a {@code ts}: from the decimal text, digits past the nanosecond dropped. */
    public static long nanos(JsonNode micros) {
        return micros.decimalValue().movePointRight(3).setScale(0, RoundingMode.DOWN).longValueExact();
    }

    private static Trace check(JsonNode root) {
        List<String> problems = new ArrayList<>();
        if (!root.isObject() || !root.path("traceEvents").isArray()) {
            throw new AssertionError("not a trace: an object with a traceEvents array is expected");
        }
        JsonNode unit = root.get("displayTimeUnit");
        if (unit != null && !(unit.asText().equals("ms") || unit.asText().equals("ns"))) {
            problems.add("displayTimeUnit must be \"ms\" or \"ns\", not " + unit);
        }
        if (root.has("otherData") && !root.get("otherData").isObject()) {
            problems.add("otherData must be an object");
        }
        List<JsonNode> events = new ArrayList<>();
        root.get("traceEvents").forEach(events::add);
        for (int i = 0; i < events.size(); i++) {
            checkEvent(i, events.get(i), problems);
        }
        if (problems.isEmpty()) {
            checkThreadTracks(events, problems);
            checkAsyncTracks(events, problems);
            checkFlows(events, problems);
            checkNames(events, problems);
        }
        if (!problems.isEmpty()) {
            throw new AssertionError(problems.size() + " problem(s) in the trace:\n  "
                    + String.join("\n  ", problems.subList(0, Math.min(30, problems.size()))));
        }
        return new Trace(root, events);
    }

    private static void checkEvent(int i, JsonNode e, List<String> problems) {
        String at = "event " + i + " " + e;
        if (!e.isObject()) {
            problems.add(at + ": not an object");
            return;
        }
        e.properties().forEach(p -> {
            if (p.getValue().isArray()) {
                problems.add(at + ": top-level array in '" + p.getKey() + "' (Perfetto's tokenizer rejects the file)");
            }
        });
        String ph = e.path("ph").asText("");
        if (!PHASES.contains(ph)) {
            problems.add(at + ": ph must be one of " + PHASES);
            return;
        }
        for (String id : List.of("pid", "tid")) {
            JsonNode n = e.get(id);
            if (n == null || !n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 0xffffffffL) {
                problems.add(at + ": " + id + " must be an unsigned 32-bit integer");
            }
        }
        checkTime(at, "ts", e.get("ts"), problems);
        if (!e.path("name").isTextual() || (e.path("name").asText().isEmpty() && !ph.equals("E") && !ph.equals("e"))) {
            problems.add(at + ": no name");
        }
        if (e.has("cat") && !e.get("cat").isTextual()) {
            problems.add(at + ": cat must be a string");
        }
        if (e.has("args") && !e.get("args").isObject()) {
            problems.add(at + ": args must be an object");
        }
        switch (ph) {
            case "X" -> {
                checkTime(at, "dur", e.get("dur"), problems);
                if (e.has("dur") && e.get("dur").isNumber() && e.get("dur").decimalValue().signum() < 0) {
                    problems.add(at + ": negative dur");
                }
            }
            case "i", "I" -> {
                String s = e.path("s").asText("t");
                if (!Set.of("t", "p", "g").contains(s)) {
                    problems.add(at + ": instant scope must be t, p or g");
                }
            }
            case "b", "e", "n" -> {
                if (!e.path("cat").isTextual() || !(e.path("id").isTextual() || e.path("id").isIntegralNumber())) {
                    problems.add(at + ": async events need cat and id");
                }
            }
            case "s", "t", "f" -> {
                if (!e.has("id")) {
                    problems.add(at + ": flow events need an id");
                }
            }
            case "M" -> {
                if (!METADATA.contains(e.path("name").asText())) {
                    problems.add(at + ": unknown metadata " + e.path("name"));
                } else if (e.path("name").asText().endsWith("_name")
                        && (!e.path("args").path("name").isTextual() || e.path("args").path("name").asText().isEmpty())) {
                    problems.add(at + ": metadata without args.name");
                }
            }
            default -> { }
        }
        if (e.has("bind_id")) {
            if (!e.get("bind_id").isIntegralNumber()) {
                problems.add(at + ": bind_id should be a number (text is read as hex)");
            }
            if (!Set.of("X", "B", "b", "n").contains(ph)) {
                problems.add(at + ": Perfetto binds v2 flows only on X, B, b and n events");
            }
            if (!e.path("flow_in").asBoolean(false) && !e.path("flow_out").asBoolean(false)) {
                problems.add(at + ": bind_id without flow_in or flow_out");
            }
        }
    }

    private static void checkTime(String at, String key, JsonNode v, List<String> problems) {
        if (v == null || !v.isNumber()) {
            problems.add(at + ": " + key + " must be a number");
            return;
        }
        BigDecimal micros = v.decimalValue();
        long fromText = micros.movePointRight(3).setScale(0, RoundingMode.DOWN).longValue();
        long fromDouble = (long) (micros.doubleValue() * 1000.0);
        if (fromText != fromDouble) {
            problems.add(at + ": " + key + " reads as " + fromText + " ns from its text but " + fromDouble
                    + " ns as a double");
        }
    }

    /** A slice on a thread track; {@code key} orders events of equal time as Perfetto's sorter does. */
    private record Slice(int index, long ts, long end, String name, long key) {}

    private static final long END_KEY = Long.MIN_VALUE;
    private static final long OTHER_KEY = Long.MAX_VALUE;

    /** Perfetto sorts by time, then ends, then complete slices longest first, then the rest, then file order. */
    private static final Comparator<Slice> PERFETTO_ORDER = Comparator.comparingLong(Slice::ts)
            .thenComparingLong(Slice::key).thenComparingInt(Slice::index);

    private static String track(JsonNode e) {
        return e.get("pid").asLong() + "/" + e.get("tid").asLong();
    }

    private static boolean threadScoped(JsonNode e) {
        String ph = e.get("ph").asText();
        return switch (ph) {
            case "X", "B", "E", "s", "t", "f" -> true;
            case "i", "I" -> e.path("s").asText("t").equals("t");
            default -> false;
        };
    }

    private static void checkThreadTracks(List<JsonNode> events, List<String> problems) {
        Map<String, List<Integer>> byTrack = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String ph = e.get("ph").asText();
            if (Set.of("X", "B", "E", "i", "I").contains(ph) && threadScoped(e)) {
                byTrack.computeIfAbsent(track(e), k -> new ArrayList<>()).add(i);
            }
        }
        byTrack.forEach((track, indices) -> {
            List<Slice> slices = new ArrayList<>();
            List<Slice> begins = new ArrayList<>();
            for (int i : indices) {
                JsonNode e = events.get(i);
                long ts = nanos(e.get("ts"));
                String name = e.path("name").asText("");
                switch (e.get("ph").asText()) {
                    case "X" -> {
                        long dur = nanos(e.get("dur"));
                        slices.add(new Slice(i, ts, ts + dur, name, OTHER_KEY - dur));
                    }
                    case "B" -> begins.add(new Slice(i, ts, -1, name, OTHER_KEY));
                    case "E" -> begins.add(new Slice(i, ts, -1, name, END_KEY));
                    default -> slices.add(new Slice(i, ts, ts, name, OTHER_KEY));
                }
            }
            slices.addAll(pairBeginsAndEnds(track, begins, problems));
            slices.sort(PERFETTO_ORDER);
            Deque<Slice> open = new ArrayDeque<>();
            for (Slice s : slices) {
                while (!open.isEmpty() && open.peek().end() <= s.ts()) {
                    open.pop();
                }
                if (!open.isEmpty() && s.end() > open.peek().end()) {
                    problems.add("thread track " + track + ": '" + s.name() + "' [" + s.ts() + ", " + s.end()
                            + "] (event " + s.index() + ") crosses '" + open.peek().name() + "' [" + open.peek().ts()
                            + ", " + open.peek().end() + "] (event " + open.peek().index() + ")");
                }
                open.push(s);
                if (open.size() > MAX_DEPTH) {
                    problems.add("thread track " + track + ": slices nested deeper than " + MAX_DEPTH);
                    return;
                }
            }
        });
    }

    /** B/E pairs of one thread as slices: each E closes the innermost open B (of its name, when it has one). */
    private static List<Slice> pairBeginsAndEnds(String track, List<Slice> events, List<String> problems) {
        events.sort(PERFETTO_ORDER);
        List<Slice> paired = new ArrayList<>();
        Deque<Slice> open = new ArrayDeque<>();
        for (Slice s : events) {
            if (s.key() != END_KEY) {
                open.push(s);
            } else if (open.isEmpty() || (!s.name().isEmpty() && !s.name().equals(open.peek().name()))) {
                problems.add("thread track " + track + ": E (event " + s.index() + ") does not close the open B");
            } else {
                Slice b = open.pop();
                paired.add(new Slice(b.index(), b.ts(), s.ts(), b.name(), OTHER_KEY));
            }
        }
        open.forEach(b -> problems.add("thread track " + track + ": B (event " + b.index() + ") never ends"));
        return paired;
    }

    private static void checkAsyncTracks(List<JsonNode> events, List<String> problems) {
        Map<String, List<Integer>> byTrack = new LinkedHashMap<>();
        Map<String, Long> pidOf = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String ph = e.get("ph").asText();
            if (ph.equals("b") || ph.equals("e")) {
                String key = e.get("cat").asText() + "#" + e.get("id").asText();
                byTrack.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
                Long pid = pidOf.putIfAbsent(key, e.get("pid").asLong());
                if (pid != null && pid != e.get("pid").asLong()) {
                    problems.add("async track " + key + ": events from two processes");
                }
            }
        }
        byTrack.forEach((key, indices) -> {
            // Readers differ in how they order a begin and an end at the same time: both orders must work.
            Comparator<Integer> byTime = Comparator.comparingLong(i -> nanos(events.get(i).get("ts")));
            List<Integer> fileOrder = new ArrayList<>(indices);
            fileOrder.sort(byTime.thenComparingInt(i -> i));
            List<Integer> endsFirst = new ArrayList<>(indices);
            endsFirst.sort(byTime.thenComparingInt(i -> events.get(i).get("ph").asText().equals("e") ? 0 : 1)
                    .thenComparingInt(i -> i));
            for (List<Integer> order : List.of(fileOrder, endsFirst)) {
                Deque<Integer> open = new ArrayDeque<>();
                for (int i : order) {
                    JsonNode e = events.get(i);
                    if (e.get("ph").asText().equals("b")) {
                        open.push(i);
                    } else if (open.isEmpty()) {
                        problems.add("async track " + key + ": e (event " + i + ") with nothing open");
                    } else if (!events.get(open.peek()).get("name").asText().equals(e.path("name").asText())) {
                        problems.add("async track " + key + ": e '" + e.path("name").asText() + "' (event " + i
                                + ") does not close the innermost open '" + events.get(open.peek()).get("name").asText()
                                + "'");
                        open.pop();
                    } else {
                        open.pop();
                    }
                }
                open.forEach(b -> problems.add("async track " + key + ": b (event " + b + ") never ends"));
            }
        });
    }

    private static void checkFlows(List<JsonNode> events, List<String> problems) {
        Map<Long, List<JsonNode>> outs = new HashMap<>();
        Map<Long, List<JsonNode>> ins = new HashMap<>();
        Map<String, JsonNode> v1Starts = new HashMap<>();
        Set<String> v1Ends = new HashSet<>();
        for (JsonNode e : events) {
            if (e.has("bind_id")) {
                long id = e.get("bind_id").asLong();
                if (e.path("flow_out").asBoolean(false)) {
                    outs.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
                }
                if (e.path("flow_in").asBoolean(false)) {
                    ins.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
                }
            }
            String ph = e.get("ph").asText();
            String v1 = e.path("cat").asText() + "#" + e.path("name").asText() + "#" + e.path("id").asText();
            if (ph.equals("s") && v1Starts.put(v1, e) != null) {
                problems.add("flow " + v1 + " starts twice");
            }
            if (ph.equals("f")) {
                JsonNode s = v1Starts.get(v1);
                if (s == null || nanos(s.get("ts")) > nanos(e.get("ts"))) {
                    problems.add("flow end " + e + " without an earlier start");
                }
                v1Ends.add(v1);
            }
        }
        v1Starts.keySet().stream().filter(k -> !v1Ends.contains(k))
                .forEach(k -> problems.add("flow " + k + " never ends"));
        Set<Long> ids = new HashSet<>(outs.keySet());
        ids.addAll(ins.keySet());
        for (long id : ids) {
            List<JsonNode> o = outs.getOrDefault(id, List.of()), in = ins.getOrDefault(id, List.of());
            if (o.size() != 1 || in.size() != 1) {
                problems.add("flow " + id + ": " + o.size() + " flow_out and " + in.size() + " flow_in (1 each expected)");
            } else if (nanos(o.getFirst().get("ts")) > nanos(in.getFirst().get("ts"))) {
                problems.add("flow " + id + " goes back in time");
            }
        }
    }

    private static void checkNames(List<JsonNode> events, List<String> problems) {
        Set<Long> processes = new HashSet<>();
        Set<String> threads = new HashSet<>();
        for (JsonNode e : events) {
            if (e.get("ph").asText().equals("M")) {
                switch (e.get("name").asText()) {
                    case "process_name" -> processes.add(e.get("pid").asLong());
                    case "thread_name" -> threads.add(track(e));
                    default -> { }
                }
            }
        }
        Set<String> reported = new HashSet<>();
        for (JsonNode e : events) {
            if (e.get("ph").asText().equals("M")) {
                continue;
            }
            if (!processes.contains(e.get("pid").asLong()) && reported.add("p" + e.get("pid"))) {
                problems.add("process " + e.get("pid") + " has events but no process_name");
            }
            if (threadScoped(e) && !threads.contains(track(e)) && reported.add("t" + track(e))) {
                problems.add("thread " + track(e) + " has events but no thread_name");
            }
        }
    }

    /** The args of an event, or an empty object. */
    public static JsonNode args(JsonNode e) {
        return Objects.requireNonNullElse(e.get("args"), JSON.createObjectNode());
    }
}
