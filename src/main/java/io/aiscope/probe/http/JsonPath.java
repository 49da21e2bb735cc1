package io.aiscope.probe.http;

/**
 * Where a value sits in an LLM API document, as a {@code long}: one 6-bit key a level from the root, array
 * elements as {@link #ITEM}. Comparing two longs is what lets every token of a 64 KiB prompt be placed without
 * building a path string. Only the keys the LLM dialects' fields lie under are named; a value under any other key
 * has no path ({@link #NONE}), so whole subtrees such as tool schemas are passed over unread.
 */
final class JsonPath {
    /** The document's root value. */
    static final long ROOT = 0;
    /** Under a key not named here, or deeper than {@link #MAX_DEPTH}. */
    static final long NONE = -1;
    /** Levels a path holds: 6 bits each in a long, and deeper than any field read. */
    static final int MAX_DEPTH = 10;

    static final int ITEM = 1;
    static final int MODEL = 2;
    static final int STREAM = 3;
    static final int MAX_TOKENS = 4;
    static final int MAX_COMPLETION_TOKENS = 5;
    static final int MAX_OUTPUT_TOKENS = 6;
    static final int USAGE = 7;
    static final int PROMPT_TOKENS = 8;
    static final int COMPLETION_TOKENS = 9;
    static final int INPUT_TOKENS = 10;
    static final int OUTPUT_TOKENS = 11;
    static final int ERROR = 12;
    static final int TYPE = 13;
    static final int CODE = 14;
    static final int CHOICES = 15;
    static final int MESSAGE = 16;
    static final int MESSAGES = 17;
    static final int CONTENT = 18;
    static final int TEXT = 19;
    static final int DELTA = 20;
    static final int TOOL_CALLS = 21;
    static final int REASONING_CONTENT = 22;
    static final int PROMPT = 23;
    static final int INPUT = 24;
    static final int SYSTEM = 25;
    static final int INSTRUCTIONS = 26;
    static final int OUTPUT = 27;
    static final int RESPONSE = 28;

    private static final int BITS = 6;

    private JsonPath() {
    }

    /** The key's number; 0 for a name no field lies under. */
    static int key(String name) {
        return switch (name) {
            case "model" -> MODEL;
            case "stream" -> STREAM;
            case "max_tokens" -> MAX_TOKENS;
            case "max_completion_tokens" -> MAX_COMPLETION_TOKENS;
            case "max_output_tokens" -> MAX_OUTPUT_TOKENS;
            case "usage" -> USAGE;
            case "prompt_tokens" -> PROMPT_TOKENS;
            case "completion_tokens" -> COMPLETION_TOKENS;
            case "input_tokens" -> INPUT_TOKENS;
            case "output_tokens" -> OUTPUT_TOKENS;
            case "error" -> ERROR;
            case "type" -> TYPE;
            case "code" -> CODE;
            case "choices" -> CHOICES;
            case "message" -> MESSAGE;
            case "messages" -> MESSAGES;
            case "content" -> CONTENT;
            case "text" -> TEXT;
            case "delta" -> DELTA;
            case "tool_calls" -> TOOL_CALLS;
            case "reasoning_content" -> REASONING_CONTENT;
            case "prompt" -> PROMPT;
            case "input" -> INPUT;
            case "system" -> SYSTEM;
            case "instructions" -> INSTRUCTIONS;
            case "output" -> OUTPUT;
            case "response" -> RESPONSE;
            default -> 0;
        };
    }

    /** The path of {@code key} inside {@code parent}; none under a path that is none or as deep as can be. */
    static long child(long parent, int key) {
        if (parent == NONE || key == 0 || (parent >>> (BITS * (MAX_DEPTH - 1))) != 0) {
            return NONE;
        }
        return parent << BITS | key;
    }

    /** The path of the keys from the root: {@code of(CHOICES, ITEM, DELTA)} is {@code choices[].delta}. */
    static long of(int... keys) {
        long p = ROOT;
        for (int k : keys) {
            p = child(p, k);
        }
        return p;
    }

    static boolean among(long path, long[] paths) {
        for (long p : paths) {
            if (p == path) {
                return true;
            }
        }
        return false;
    }
}
