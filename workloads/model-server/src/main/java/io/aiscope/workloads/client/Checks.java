package io.aiscope.workloads.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** What a response must look like; each check returns its problems, none when it passes. */
final class Checks {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Checks() {
    }

    static List<String> complete(Result result, int status) {
        List<String> problems = new ArrayList<>();
        RequestRecord r = result.record();
        if (!r.outcome().equals("complete")) problems.add(describe(r) + ": outcome " + r.outcome() + " (" + r.failure() + ")");
        else if (r.status() != status) problems.add(describe(r) + ": status " + r.status() + ", expected " + status);
        return problems;
    }

    /** A whole stream: one event per token, the usage event if asked for, then [DONE]. */
    static List<String> stream(Result result, int maxTokens, boolean includeUsage) {
        List<String> problems = complete(result, 200);
        if (!problems.isEmpty()) return problems;
        Response response = result.response();
        int expected = maxTokens + (includeUsage ? 1 : 0);
        if (!response.streamed()) problems.add(describe(result.record()) + ": not an event stream");
        else if (response.events() != expected || !response.sse.done()) {
            problems.add(describe(result.record()) + ": " + response.events() + " events" + (response.sse.done() ? "" : ", no [DONE]")
                    + ", expected " + expected + " and [DONE]");
        } else if (includeUsage) {
            problems.addAll(usage(result, response.sse.lastData(), maxTokens));
        }
        return problems;
    }

    /** A whole JSON completion whose usage counts {@code maxTokens} generated tokens. */
    static List<String> completion(Result result, int maxTokens) {
        List<String> problems = complete(result, 200);
        if (problems.isEmpty()) problems.addAll(usage(result, result.response().body.toString(), maxTokens));
        return problems;
    }

    static String describe(RequestRecord r) {
        return "request " + r.id() + " (" + r.method() + " " + r.path() + ")";
    }

    private static List<String> usage(Result result, String json, int maxTokens) {
        try {
            JsonNode tokens = MAPPER.readTree(json).path("usage").path("completion_tokens");
            if (tokens.asInt(-1) == maxTokens) return List.of();
            return List.of(describe(result.record()) + ": usage.completion_tokens " + tokens + ", expected " + maxTokens);
        } catch (IOException e) {
            return List.of(describe(result.record()) + ": unreadable JSON " + json);
        }
    }
}
