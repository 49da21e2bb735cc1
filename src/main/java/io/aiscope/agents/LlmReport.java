package io.aiscope.agents;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aiscope.correlate.ProcessAction;
import io.aiscope.engine.ProcessNames;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code llm} section of the run report: totals, a row per provider and model, and every kept call with the
 * chain of actions that followed it. Content appears only where it was captured (opt-in).
 */
public final class LlmReport {
    private LlmReport() {}

    private static final class ModelRow {
        long count, errors, inputTokens, outputTokens;
        final Histogram latency = new Histogram(3);
        final Histogram ttft = new Histogram(3);
    }

    public static void write(ObjectNode section, AgentCorrelator agents, ProcessNames names) {
        List<AgentTurn> turns = agents.turns(Long.MIN_VALUE);
        long errors = 0, input = 0, output = 0;
        Map<String, Long> byStatus = new TreeMap<>();
        Map<List<String>, ModelRow> rows = new LinkedHashMap<>();
        for (AgentTurn t : turns) {
            ObservedCall c = t.call();
            ModelRow row = rows.computeIfAbsent(List.of(c.provider(), String.valueOf(c.model())), k -> new ModelRow());
            row.count++;
            row.latency.recordValue(Math.max(0, c.latencyNs()));
            if (c.ttftNs() >= 0) {
                row.ttft.recordValue(c.ttftNs());
            }
            if (c.isError()) {
                errors++;
                row.errors++;
                byStatus.merge(c.status() == 0 ? c.outcome() : Integer.toString(c.status()), 1L, Long::sum);
            }
            input += c.inputTokens() == null ? 0 : c.inputTokens();
            output += c.outputTokens() == null ? 0 : c.outputTokens();
            row.inputTokens += c.inputTokens() == null ? 0 : c.inputTokens();
            row.outputTokens += c.outputTokens() == null ? 0 : c.outputTokens();
        }
        section.put("calls_total", agents.callsSeen());
        section.put("errors", errors);
        ObjectNode statuses = section.putObject("errors_by_status");
        byStatus.forEach(statuses::put);
        section.put("input_tokens", input);
        section.put("output_tokens", output);
        section.put("effects_window_ms", agents.windowNs() / 1e6);
        section.put("actions_left_out", agents.actionsLeftOut());
        ArrayNode models = section.putArray("models");
        rows.forEach((key, r) -> {
            ObjectNode m = models.addObject();
            m.put("provider", key.get(0));
            m.put("model", key.get(1));
            m.put("count", r.count);
            m.put("errors", r.errors);
            m.put("input_tokens", r.inputTokens);
            m.put("output_tokens", r.outputTokens);
            quantiles(m.putObject("latency_ms"), r.latency);
            if (r.ttft.getTotalCount() > 0) {
                quantiles(m.putObject("ttft_ms"), r.ttft);
            }
        });
        ArrayNode calls = section.putArray("calls");
        turns.forEach(t -> calls.add(call(t, names)));
    }

    private static void quantiles(ObjectNode o, Histogram h) {
        o.put("p50", h.getValueAtPercentile(50) / 1e6);
        o.put("p99", h.getValueAtPercentile(99) / 1e6);
        o.put("max", h.getMaxValue() / 1e6);
    }

    /** One call and its chain, as the report and the live view show it. */
    public static ObjectNode call(AgentTurn t, ProcessNames names) {
        ObservedCall c = t.call();
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", c.id());
        o.put("pid", c.pid());
        o.put("comm", names.comm(c.pid()));
        o.put("provider", c.provider());
        o.put("host", c.host());
        o.put("api", c.api());
        o.put("operation", c.operation());
        o.put("model", c.model());
        o.put("streaming", c.streaming());
        o.put("tls", c.tls());
        o.put("status", c.status());
        o.put("outcome", c.outcome());
        o.put("error_type", c.errorType());
        o.put("input_tokens", c.inputTokens());
        o.put("output_tokens", c.outputTokens());
        o.put("output_tokens_source", c.outputTokens() == null ? null : c.outputTokensCounted() ? "stream" : "usage");
        if (c.ttftNs() >= 0) {
            o.put("ttft_ms", c.ttftNs() / 1e6);
        } else {
            o.putNull("ttft_ms");
        }
        o.put("latency_ms", c.latencyNs() / 1e6);
        if (c.prompt() != null) {
            o.put("prompt", c.prompt());
        }
        if (c.completion() != null) {
            o.put("completion", c.completion());
        }
        ArrayNode effects = o.putArray("effects");
        for (Effect e : t.effects()) {
            effects.add(effect(e, names));
        }
        o.put("effects_left_out", t.effectsLeftOut());
        return o;
    }

    private static ObjectNode effect(Effect e, ProcessNames names) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        ProcessAction a = e.action();
        o.put("kind", e.kind());
        o.put("pid", a.pid());
        o.put("comm", names.comm(a.pid()));
        o.put("after_ms", e.afterNs() / 1e6);
        o.put("depth", e.depth());
        switch (a) {
            case ProcessAction.Exec x -> {
                o.put("filename", x.filename());
                x.argv().forEach(o.putArray("argv")::add);
                o.put("exit_code", e.exitCode());
            }
            case ProcessAction.FileOpen f -> {
                o.put("path", f.path());
                o.put("flags", f.flags());
                o.put("result", f.result());
            }
            case ProcessAction.Connect c -> {
                o.put("address", c.address());
                o.put("port", c.port());
                // A non-blocking connect's call returned -EINPROGRESS: its result is how it ended, when known.
                o.put("result", e.outcome() == null ? c.result() : e.outcome().result());
                if (e.outcome() != null) {
                    o.put("completed_ms", e.outcome().afterNs() / 1e6);
                }
            }
            default -> throw new IllegalStateException("not an effect: " + a);
        }
        return o;
    }
}
