package io.aiscope.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.aiscope.correlate.ProcessAction;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * LLM calls as readable lines, each followed by the actions its process tree took after the answer (indented by
 * how far down the tree the actor is). Reads the call objects of the report's {@code llm.calls}, so the run
 * report and the live {@code agents} view print the same thing.
 */
public final class AgentChains {
    /** The errno values an agent's actions commonly fail with, by name. */
    private static final Map<Long, String> ERRNO = Map.ofEntries(Map.entry(1L, "EPERM"), Map.entry(2L, "ENOENT"),
            Map.entry(13L, "EACCES"), Map.entry(17L, "EEXIST"), Map.entry(20L, "ENOTDIR"), Map.entry(21L, "EISDIR"),
            Map.entry(28L, "ENOSPC"), Map.entry(30L, "EROFS"), Map.entry(101L, "ENETUNREACH"),
            Map.entry(110L, "ETIMEDOUT"), Map.entry(111L, "ECONNREFUSED"), Map.entry(113L, "EHOSTUNREACH"));
    private static final int MAX_ARGV_CHARS = 120;

    private AgentChains() {}

    public static String render(List<JsonNode> calls) {
        StringBuilder out = new StringBuilder();
        for (JsonNode c : calls) {
            out.append(call(c)).append('\n');
            for (JsonNode e : c.get("effects")) {
                out.append("      ").append("  ".repeat(Math.max(0, e.get("depth").asInt())))
                        .append(effect(e)).append('\n');
            }
            if (c.get("effects_left_out").asInt() > 0) {
                out.append("      … and ").append(c.get("effects_left_out").asInt()).append(" more actions\n");
            }
        }
        return out.toString();
    }

    /** The call on one line: who, to whom, what came back, how fast, how many tokens. */
    static String call(JsonNode c) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  #%d %s[%d] → %s %s %s%s%s: ", c.get("id").asLong(),
                c.get("comm").asText(), c.get("pid").asInt(), c.get("provider").asText(), text(c.get("model")),
                c.get("operation").asText(), c.get("streaming").asBoolean() ? " stream" : "", c.get("tls").asBoolean() ? " (TLS)" : ""));
        String outcome = c.get("outcome").asText();
        s.append(c.get("status").asInt() == 0 ? "no response" : Integer.toString(c.get("status").asInt()));
        if (!c.get("error_type").isNull()) {
            s.append(' ').append(c.get("error_type").asText());
        }
        if (!"complete".equals(outcome)) {
            s.append(" (").append(outcome).append(')');
        }
        s.append(String.format(Locale.ROOT, " in %.1f ms", c.get("latency_ms").asDouble()));
        if (!c.get("ttft_ms").isNull()) {
            s.append(String.format(Locale.ROOT, ", first token %.1f ms", c.get("ttft_ms").asDouble()));
        }
        if (!c.get("input_tokens").isNull() || !c.get("output_tokens").isNull()) {
            s.append(", tokens ").append(text(c.get("input_tokens"))).append(" in / ").append(text(c.get("output_tokens")))
                    .append(" out");
            if ("stream".equals(c.get("output_tokens_source").asText())) {
                s.append(" (counted)");
            }
        }
        return s.toString();
    }

    static String effect(JsonNode e) {
        String head = String.format(Locale.ROOT, "+%.1f ms %-7s %s[%d] ", e.get("after_ms").asDouble(),
                e.get("kind").asText().equals("file_write") ? "write" : e.get("kind").asText(), e.get("comm").asText(),
                e.get("pid").asInt());
        return head + switch (e.get("kind").asText()) {
            case "exec" -> argv(e.get("argv")) + (e.get("exit_code").isNull() ? "" : " → exit " + e.get("exit_code").asInt());
            case "file_write" -> e.get("path").asText() + result(e.get("result").asLong(), false);
            default -> address(e) + result(e.get("result").asLong(), true);
        };
    }

    private static String argv(JsonNode argv) {
        StringBuilder s = new StringBuilder();
        for (JsonNode a : argv) {
            String arg = a.asText();
            s.append(s.isEmpty() ? "" : " ").append(arg.isEmpty() || arg.matches(".*[\\s'\"|&;<>$`\\\\].*")
                    ? "'" + arg.replace("'", "'\\''") + "'" : arg);
        }
        return s.length() > MAX_ARGV_CHARS ? s.substring(0, MAX_ARGV_CHARS) + "…" : s.toString();
    }

    private static String address(JsonNode e) {
        String a = e.get("address").asText();
        int port = e.get("port").asInt();
        return port == 0 ? a : a.contains(":") ? "[" + a + "]:" + port : a + ":" + port;
    }

    /**
     * Nothing for success; the errno's name for a failure. A connect reports how it ended when that came; one
     * still at -EINPROGRESS ended unseen (aiscope stopped first, or the kernel could not follow it).
     */
    private static String result(long result, boolean connect) {
        if (result >= 0) {
            return "";
        }
        if (connect && result == ProcessAction.Connect.EINPROGRESS) {
            return " (in progress)";
        }
        if (connect && result == ProcessAction.ConnectResult.CLOSED_WHILE_CONNECTING) {
            return " → closed while connecting";
        }
        return " → " + ERRNO.getOrDefault(-result, "errno " + -result);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "?" : n.asText();
    }
}
