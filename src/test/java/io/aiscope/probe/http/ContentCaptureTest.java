package io.aiscope.probe.http;

import static io.aiscope.probe.http.LlmWire.SSE_HEAD;
import static io.aiscope.probe.http.LlmWire.concat;
import static io.aiscope.probe.http.LlmWire.data;
import static io.aiscope.probe.http.LlmWire.json;
import static io.aiscope.probe.http.LlmWire.lastChunk;
import static io.aiscope.probe.http.LlmWire.post;
import static io.aiscope.probe.http.LlmWire.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Prompt and completion text, kept only when content capture is asked for, and then only up to its size. */
@Tag("unit")
class ContentCaptureTest {
    static final String SECRET = "MY-SECRET-PROMPT";
    static final String CHAT = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"Reply in "
            + "French.\\nBe \\\"brief\\\".\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + SECRET
            + " caf\\u00e9 \\ud83d\\ude00\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
            + "iVBOR\"}}]},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":"
            + "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"text\\\":\\\"x\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"42\"}],\"tools\":[{\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"properties\":{\"content\":"
            + "{\"type\":\"string\",\"description\":\"not prompt\"}}}}}]}";
    static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Bonjour \\u00e0 \\\"vous\\\""
            + "\\n\",\"refusal\":null},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":30,"
            + "\"completion_tokens\":4}}";

    private static HttpExchange chat(Wire w) {
        return w.out(1, 1, post("api.openai.com", "/v1/chat/completions", CHAT)).in(2, 1, json("200 OK", COMPLETION))
                .only();
    }

    @Test
    void offByDefault() {
        LlmCall call = chat(new Wire()).llm();
        assertThat(call.promptText()).isNull();
        assertThat(call.completionText()).isNull();
        assertThat(call.inputTokens()).isEqualTo(30);
    }

    @Test
    void chatMessagesAndCompletionWithEscapesDecoded() {
        LlmCall call = chat(new Wire(4096)).llm();
        assertThat(call.promptText()).isEqualTo("Reply in French.\nBe \"brief\".\n" + SECRET
                + " caf\u00e9 \ud83d\ude00\n42");
        assertThat(call.completionText()).isEqualTo("Bonjour \u00e0 \"vous\"\n");
        assertThat(call.inputTokens()).isEqualTo(30);
    }

    @Test
    void rawUtf8IsDecodedToo() {
        String body = "{\"model\":\"m\",\"prompt\":\"na\u00efve \u65e5\u672c \ud83d\ude80\"}";
        Wire w = new Wire(100).out(1, 1, post("h", "/v1/completions", body)).in(2, 1, json("200 OK",
                "{\"choices\":[{\"text\":\"\u00e9t\u00e9\",\"index\":0}]}"));
        assertThat(w.only().llm().promptText()).isEqualTo("na\u00efve \u65e5\u672c \ud83d\ude80");
        assertThat(w.only().llm().completionText()).isEqualTo("\u00e9t\u00e9");
    }

    @Test
    void captureStopsAtItsSizeInUtf8Bytes() {
        Wire w = new Wire(20);
        LlmCall call = chat(w).llm();
        assertThat(call.promptText()).isEqualTo("Reply in French.\nBe ");
        assertThat(utf8(call.promptText())).hasSize(20);
        assertThat(call.completionText()).isEqualTo("Bonjour \u00e0 \"vous\"\n");
    }

    @Test
    void hugePromptBeyondTheCaptureAndTheParseLimit() {
        String huge = "x".repeat(200_000);
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET + huge + "\"}],\"model\":\"gpt-4o\","
                + "\"stream\":false}";
        LlmCall call = sentInPieces(body).llm();
        // The message ends beyond what the forward parse reads: not kept; the model comes from the tail.
        assertThat(call.model()).isEqualTo("gpt-4o");
        assertThat(call.stream()).isFalse();
        assertThat(call.promptText()).isNull();
        assertThat(call.completionText()).isEqualTo("Bonjour \u00e0 \"vous\"\n");

        body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + SECRET
                + "x".repeat(20_000) + "\"},{\"role\":\"user\",\"content\":\"" + huge + "\"}]}";
        call = sentInPieces(body).llm();
        assertThat(call.promptText()).isEqualTo(SECRET + "x".repeat(48));
        assertThat(call.model()).isEqualTo("gpt-4o");
    }

    /** A chat request with capture of 64 bytes, written in calls the capture keeps whole; its completion. */
    private static HttpExchange sentInPieces(String body) {
        Wire w = new Wire(64);
        long t = w.outInPieces(1, 1, post("h", "/v1/chat/completions", body), Wire.HEAD);
        return w.in(t + 1, 1, json("200 OK", COMPLETION)).only();
    }

    @Test
    void anthropicSystemAndMessagesAndStreamedText() {
        Wire w = new Wire(4096).out(1, 1, AnthropicTest.request(true)).in(2, 1, SSE_HEAD);
        for (int i = 0; i < AnthropicTest.STREAM.length; i++) {
            w.in(10 + i, 1, AnthropicTest.STREAM[i]);
        }
        LlmCall call = w.only().llm();
        assertThat(call.promptText()).isEqualTo("You are terse.\nSay hello\nHi.\nAgain");
        assertThat(call.completionText()).isEqualTo("Hello, \"world\"");
    }

    @Test
    void anthropicContentBlocks() {
        Wire w = new Wire(4096).out(1, 1, AnthropicTest.request(false)).in(2, 1, json("200 OK", AnthropicTest.MESSAGE));
        assertThat(w.only().llm().completionText()).isEqualTo("Hello!");
    }

    @Test
    void responsesApiInputAndOutput() {
        Wire w = new Wire(4096).out(1, 1, ResponsesApiTest.request(true)).in(2, 1, SSE_HEAD)
                .in(3, 1, ResponsesApiTest.CREATED).in(4, 1, ResponsesApiTest.PART_ADDED)
                .in(5, 1, ResponsesApiTest.outputTextDelta(4, "A "))
                .in(6, 1, LlmWire.event("response.function_call_arguments.delta", "{\"delta\":\"{\\\"a\\\"\","
                        + "\"type\":\"response.function_call_arguments.delta\"}"))
                .in(7, 1, LlmWire.event("response.output_text.delta", "{\"delta\":\"cat.\","
                        + "\"type\":\"response.output_text.delta\"}"))
                .in(8, 1, ResponsesApiTest.TEXT_DONE).in(9, 1, ResponsesApiTest.COMPLETED).in(10, 1, lastChunk());
        LlmCall call = w.only().llm();
        assertThat(call.promptText()).isEqualTo("Be brief.\nWhat is in this image?");
        assertThat(call.completionText()).isEqualTo("A cat.");
        assertThat(call.contentEvents()).isEqualTo(3);
    }

    @Test
    void embeddingsInputs() {
        Wire w = new Wire(4096).out(1, 1, post("h", "/v1/embeddings", "{\"model\":\"e5\",\"input\":[\"first\","
                + "\"second\"]}")).in(2, 1, json("200 OK", "{\"data\":[],\"usage\":{\"prompt_tokens\":4}}"));
        assertThat(w.only().llm().promptText()).isEqualTo("first\nsecond");
        assertThat(w.only().llm().completionText()).isNull();
    }

    @Test
    void streamedChatDeltasSplitAnywhere() {
        byte[] body = concat(ChatStreamTest.ROLE, ChatStreamTest.content("Bon"),
                ChatStreamTest.content("jour \\u00e0 \\ud83d\\ude00"), ChatStreamTest.FINISH, ChatStreamTest.USAGE,
                data("[DONE]"), lastChunk());
        for (int size = 1; size < 40; size += 3) {
            Wire w = new Wire(4096).out(1, 1, ChatStreamTest.REQUEST).in(2, 1, SSE_HEAD);
            for (int off = 0, t = 3; off < body.length; off += size, t++) {
                w.in(t, 1, java.util.Arrays.copyOfRange(body, off, Math.min(body.length, off + size)));
            }
            assertThat(w.only().llm().completionText()).as("calls of %d bytes", size)
                    .isEqualTo("Bonjour \u00e0 \ud83d\ude00");
            assertThat(w.only().llm().promptText()).isEqualTo("Hi");
        }
    }

    @Test
    void withCaptureOffNoPromptOrCompletionIsReachableFromTheExchange() {
        HttpExchange off = chat(new Wire());
        assertThat(stringsReachable(off)).noneMatch(s -> s.contains(SECRET) || s.contains("Bonjour"));
        // The check sees the text where it is kept.
        HttpExchange on = chat(new Wire(4096));
        assertThat(stringsReachable(on)).anyMatch(s -> s.contains(SECRET)).anyMatch(s -> s.contains("Bonjour"));

        Wire w = new Wire().out(1, 1, AnthropicTest.request(true)).in(2, 1, SSE_HEAD);
        for (int i = 0; i < AnthropicTest.STREAM.length; i++) {
            w.in(10 + i, 1, AnthropicTest.STREAM[i]);
        }
        assertThat(stringsReachable(w.only())).noneMatch(s -> s.contains("Say hello") || s.contains("world"));
    }

    /**
     * Every string reachable from {@code root} through the fields of aiscope's classes and arrays: strings,
     * and char and byte arrays read as text.
     */
    private static Set<String> stringsReachable(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<String> strings = new java.util.HashSet<>();
        ArrayDeque<Object> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!seen.add(o)) {
                continue;
            }
            switch (o) {
                case String s -> strings.add(s);
                case char[] c -> strings.add(new String(c));
                case byte[] b -> strings.add(new String(b, StandardCharsets.ISO_8859_1));
                case Object[] a -> {
                    for (Object e : a) {
                        if (e != null) {
                            todo.push(e);
                        }
                    }
                }
                default -> fields(o, todo);
            }
        }
        return strings;
    }

    private static void fields(Object o, ArrayDeque<Object> todo) {
        for (Class<?> c = o.getClass(); c != null && c.getName().startsWith("io.aiscope."); c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    Object v = f.get(o);
                    if (v != null) {
                        todo.push(v);
                    }
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
